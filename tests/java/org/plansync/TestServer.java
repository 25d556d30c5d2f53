package org.plansync;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real plansync-server binary (system property plansync.server) on a free
 * loopback port, over a store in a temporary directory, and its admin commands.
 */
final class TestServer implements AutoCloseable {
  final File dir;
  private final String binary = System.getProperty("plansync.server");
  private Process process;
  private String address;

  TestServer() throws IOException {
    dir = Files.createTempDirectory("plansync-java").toFile();
  }

  /** Runs `plansync-server admin ARGS --db ...`; returns the first line it prints. */
  String admin(String... args) throws IOException, InterruptedException {
    List<String> argv = new ArrayList<>(Arrays.asList(binary, "admin"));
    argv.addAll(Arrays.asList(args));
    argv.add("--db");
    argv.add(path("server.db"));
    Process admin = new ProcessBuilder(argv).redirectErrorStream(true).start();
    String out = new String(admin.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (admin.waitFor() != 0) {
      throw new IOException("admin " + args[0] + " failed: " + out);
    }
    int newline = out.indexOf('\n');
    return newline < 0 ? out : out.substring(0, newline);
  }

  /** Starts the server; returns "127.0.0.1:PORT" once it serves. */
  String start() throws IOException {
    process =
        new ProcessBuilder(binary, "--db=" + path("server.db"), "--listen=127.0.0.1:0")
            .redirectError(new File(path("server.err")))
            .start();
    // A JVM that exits without closing this (a failed assertion in a
    // constructor, System.exit) still stops the server.
    final Process started = process;
    Runtime.getRuntime().addShutdownHook(new Thread(started::destroyForcibly));
    BufferedReader out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    String line;
    while ((line = out.readLine()) != null) {
      int at = line.indexOf("listening on ");
      if (at >= 0) {
        address = line.substring(at + "listening on ".length()).trim();
        Thread drain =
            new Thread(
                () -> {
                  try {
                    while (out.readLine() != null) {}
                  } catch (IOException e) {
                    // the server ended
                  }
                });
        drain.setDaemon(true);
        drain.start();
        return address;
      }
    }
    throw new IOException("the server did not start: " + Files.readString(new File(path("server.err")).toPath()));
  }

  String address() {
    return address;
  }

  String path(String name) {
    return new File(dir, name).getPath();
  }

  @Override
  public void close() throws InterruptedException {
    if (process != null) {
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
    deleteTree(dir);
  }

  static void deleteTree(File file) {
    File[] children = file.listFiles();
    if (children != null) {
      for (File child : children) {
        deleteTree(child);
      }
    }
    file.delete();
  }
}
