#pragma once

#include "errorcode.h"

#include <QString>

#include <optional>

// The protocol's rules for names and free text (docs/protocol.md, "Names" and
// "Text"). Both the server (to reject) and the clients (to warn before
// sending) use these, so the two can never disagree.
namespace Confab::Protocol {

struct RuleViolation {
    ErrorCode code;
    QString reason;
};

// nullopt when valid.
std::optional<RuleViolation> checkNick(QStringView nick);
std::optional<RuleViolation> checkRoom(QStringView room);
std::optional<RuleViolation> checkText(QStringView text);
std::optional<RuleViolation> checkTopic(QStringView topic);
std::optional<RuleViolation> checkReason(QStringView reason);
std::optional<RuleViolation> checkClientName(QStringView client);
// One emoji, as a reaction: a single grapheme that starts with a symbol
// (text_invalid otherwise).
std::optional<RuleViolation> checkReaction(QStringView emoji);
// 8 to 256 characters, any (password_invalid).
std::optional<RuleViolation> checkPassword(QStringView password);

// The key under which two nicks, or two rooms, are the same name:
// compatibility-normalised (NFKC) and case folded, so "Alice", "ALICE" and
// "ａｌｉｃｅ" (full width) all name one user.
QString nameKey(QStringView name);

} // namespace Confab::Protocol
