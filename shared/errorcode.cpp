#include "errorcode.h"

#include <array>

namespace Confab::Protocol {

namespace {

struct ErrorCodeInfo {
    QLatin1String name;
    bool closesConnection;
};

using namespace Qt::StringLiterals;

// Indexed by ErrorCode; the static_assert below keeps the two in step.
constexpr std::array<ErrorCodeInfo, ErrorCodeCount> errorCodes{{
    {"bad_json"_L1, false},
    {"bad_request"_L1, false},
    {"unknown_type"_L1, false},
    {"not_identified"_L1, false},
    {"already_identified"_L1, false},
    {"protocol_unsupported"_L1, false},
    {"auth_failed"_L1, false},
    {"nick_invalid"_L1, false},
    {"nick_taken"_L1, false},
    {"room_invalid"_L1, false},
    {"not_in_room"_L1, false},
    {"no_such_user"_L1, false},
    {"text_invalid"_L1, false},
    {"too_many_rooms"_L1, false},
    {"rate_limited"_L1, false},
    {"frame_too_large"_L1, true},
    {"server_full"_L1, true},
    {"storage_failed"_L1, false},
    {"account_exists"_L1, false},
    {"password_invalid"_L1, false},
    {"nick_reserved"_L1, false},
    {"login_failed"_L1, false},
    {"login_required"_L1, false},
    {"not_logged_in"_L1, false},
    {"not_permitted"_L1, false},
    {"already_owned"_L1, false},
    {"banned"_L1, false},
    {"invite_only"_L1, false},
    {"bad_key"_L1, false},
    {"muted"_L1, false},
    {"topic_locked"_L1, false},
    {"no_such_message"_L1, false},
}};
static_assert(errorCodes.size() == std::size_t(ErrorCodeCount));

} // namespace

QLatin1String errorCodeName(ErrorCode code)
{
    return errorCodes[std::size_t(code)].name;
}

std::optional<ErrorCode> errorCodeFromName(QStringView name)
{
    for (std::size_t i = 0; i < errorCodes.size(); ++i) {
        if (name == errorCodes[i].name)
            return ErrorCode(i);
    }
    return std::nullopt;
}

bool errorClosesConnection(ErrorCode code)
{
    return errorCodes[std::size_t(code)].closesConnection;
}

} // namespace Confab::Protocol
