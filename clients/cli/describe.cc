#include "clients/cli/describe.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "clients/cli/output.h"
#include "core/enum_words.h"

namespace plansync::cli {

std::string WhereApplies(const v1::Accommodation& accommodation) {
  switch (accommodation.applies_to()) {
    case v1::APPLIES_TO_ALL_CLASSES:
      return "in all classes";
    case v1::APPLIES_TO_TESTS_ONLY:
      return "on tests only";
    case v1::APPLIES_TO_SUBJECT:
      return absl::StrCat("in ", accommodation.subject().empty()
                                     ? "one subject"
                                     : accommodation.subject());
    default:
      return "";
  }
}

std::string AccommodationText(const v1::Accommodation& accommodation) {
  std::string out =
      absl::StrCat(accommodation.title(), ": ",
                   EnumWords(*v1::AccommodationCategory_descriptor(),
                             accommodation.category()),
                   " ",
                   accommodation.kind() == v1::ACCOMMODATION_KIND_MODIFICATION
                       ? "modification"
                       : "accommodation");
  const std::string where = WhereApplies(accommodation);
  if (!where.empty()) absl::StrAppend(&out, ", ", where);
  return out;
}

std::string MinutesText(const v1::Service& service) {
  if (service.minutes_per_period() == 0) return "no minutes stated";
  const std::string period =
      EnumWords(*v1::ServicePeriod_descriptor(), service.period());
  return absl::StrCat(service.minutes_per_period(), " minutes",
                      period.empty() ? "" : " per ", period);
}

std::string ServiceText(const v1::Service& service) {
  std::vector<std::string> parts = {MinutesText(service)};
  if (service.delivery() != v1::SERVICE_DELIVERY_UNSPECIFIED) {
    parts.push_back(
        EnumWords(*v1::ServiceDelivery_descriptor(), service.delivery()));
  }
  if (service.setting() != v1::SERVICE_SETTING_UNSPECIFIED) {
    parts.push_back(absl::StrCat(
        EnumWords(*v1::ServiceSetting_descriptor(), service.setting()),
        " setting"));
  }
  std::string out =
      absl::StrCat(service.service_type(), ": ", absl::StrJoin(parts, ", "));
  if (!service.location().empty()) {
    absl::StrAppend(&out, " (", service.location(), ")");
  }
  return out;
}

std::string ConfirmationText(v1::ConfirmationStatus status) {
  return EnumWords(*v1::ConfirmationStatus_descriptor(), status);
}

std::string OutcomeText(v1::SessionOutcome outcome) {
  if (outcome == v1::SESSION_OUTCOME_MAKE_UP) return "make-up";
  if (outcome == v1::SESSION_OUTCOME_CANCELLED_SCHOOL_EVENT) {
    return "cancelled for a school event";
  }
  return EnumWords(*v1::SessionOutcome_descriptor(), outcome);
}

std::string ResponseText(const v1::LapseResponse& response) {
  std::string out =
      EnumWords(*v1::LapseResponseStatus_descriptor(), response.response());
  if (response.remedy() != v1::REMEDY_UNSPECIFIED) {
    absl::StrAppend(&out, " (remedy: ",
                    EnumWords(*v1::Remedy_descriptor(), response.remedy()),
                    ")");
  }
  return out;
}

}  // namespace plansync::cli
