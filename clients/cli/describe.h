// Records in plain words, for the text output of the role commands: where
// an accommodation applies, a service's minutes, a session's outcome.
#ifndef PLANSYNC_CLIENTS_CLI_DESCRIBE_H_
#define PLANSYNC_CLIENTS_CLI_DESCRIBE_H_

#include <string>

#include "core/reports/service_fidelity.h"
#include "plansync/v1/records.pb.h"

namespace plansync::cli {

// "in all classes", "on tests only", "in Mathematics"; "" if not stated.
std::string WhereApplies(const v1::Accommodation& accommodation);
// "Extended time (1.5x): timing and scheduling accommodation, on tests only".
std::string AccommodationText(const v1::Accommodation& accommodation);
// "60 minutes per week"; "no minutes stated" for 0.
std::string MinutesText(const v1::Service& service);
// "Speech-language therapy: 60 minutes per week, group, special education
// setting (speech room)".
std::string ServiceText(const v1::Service& service);
// "provided", "offered and declined", "not applicable", "not provided".
std::string ConfirmationText(v1::ConfirmationStatus status);
// "delivered", "student absent", ..., "make-up".
std::string OutcomeText(v1::SessionOutcome outcome);
// Sessions that did not happen: the ones a make-up may name.
using reports::IsMissed;
// "resolved (remedy: make-up)", "investigating".
std::string ResponseText(const v1::LapseResponse& response);

}  // namespace plansync::cli

#endif  // PLANSYNC_CLIENTS_CLI_DESCRIBE_H_
