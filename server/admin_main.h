// `plansync-server admin ...`: the command line over server/admin.h.
#ifndef PLANSYNC_SERVER_ADMIN_MAIN_H_
#define PLANSYNC_SERVER_ADMIN_MAIN_H_

namespace plansync::server {

// Runs the admin command in argv[0..argc) (the words after "admin");
// returns the process exit status: 0 done, 1 failed, 2 bad usage.
int RunAdmin(int argc, char** argv);

}  // namespace plansync::server

#endif  // PLANSYNC_SERVER_ADMIN_MAIN_H_
