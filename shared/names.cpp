#include "names.h"

#include "defaults.h"


namespace Confab::Protocol {

namespace {

using namespace Qt::StringLiterals;

enum class NameKind { Nick, Room };

bool isNameCharacter(char32_t c, bool first)
{
    if (c == U'_')
        return true;
    if (c == U'-' || c == U'.')
        return !first;
    switch (QChar::category(c)) {
    case QChar::Letter_Uppercase:
    case QChar::Letter_Lowercase:
    case QChar::Letter_Titlecase:
    case QChar::Letter_Modifier:
    case QChar::Letter_Other:
    case QChar::Number_DecimalDigit:
        return true;
    // Combining marks are part of how many scripts write letters (Devanagari,
    // Thai, decomposed accents), so they may follow a letter.
    case QChar::Mark_NonSpacing:
    case QChar::Mark_SpacingCombining:
        return !first;
    default:
        return false;
    }
}

std::optional<RuleViolation> checkName(QStringView name, NameKind kind)
{
    const ErrorCode code = kind == NameKind::Nick ? ErrorCode::NickInvalid : ErrorCode::RoomInvalid;
    const QString what = kind == NameKind::Nick ? u"nick"_s : u"room name"_s;
    const int maxChars = kind == NameKind::Nick ? Defaults::MaxNickChars : Defaults::MaxRoomChars;

    if (name.isEmpty())
        return RuleViolation{code, u"the %1 is empty"_s.arg(what)};

    int count = 0;
    for (qsizetype i = 0; i < name.size(); ++i) {
        char32_t c = name[i].unicode();
        if (QChar::isHighSurrogate(c) && i + 1 < name.size() && name[i + 1].isLowSurrogate())
        {
            c = QChar::surrogateToUcs4(name[i], name[i + 1]);
            ++i;
        }
        else if (QChar::isSurrogate(c))
            return RuleViolation{code, u"the %1 is not valid Unicode"_s.arg(what)};
        const bool first = count == 0;
        if (first && kind == NameKind::Nick && QChar::category(c) == QChar::Number_DecimalDigit)
            return RuleViolation{code, u"a nick must not start with a digit"_s};
        if (!isNameCharacter(c, first)) {
            if (first && (c == U'-' || c == U'.'))
                return RuleViolation{code, u"a %1 must not start with '%2'"_s.arg(what, QChar(c))};
            return RuleViolation{code,
                                 u"a %1 may contain only letters, digits, '_', '-' and '.' (found U+%2)"_s.arg(
                                         what, QString::number(uint(c), 16).toUpper().rightJustified(4, u'0'))};
        }
        if (++count > maxChars)
            return RuleViolation{code, u"a %1 has at most %2 characters"_s.arg(what).arg(maxChars)};
    }
    return std::nullopt;
}

qsizetype codePointCount(QStringView text)
{
    qsizetype count = 0;
    for (qsizetype i = 0; i < text.size(); ++i) {
        if (!text[i].isLowSurrogate())
            ++count;
    }
    return count;
}

// Text is valid UTF-16 here, so every surrogate pair is one four-byte sequence.
qsizetype utf8Length(QStringView text)
{
    qsizetype bytes = 0;
    for (const QChar c : text) {
        const char16_t u = c.unicode();
        bytes += u < 0x80 ? 1 : u < 0x800 ? 2 : QChar::isSurrogate(u) ? 2 : 3;
    }
    return bytes;
}

bool isAllowedControl(char32_t c, bool lineBreaksAllowed)
{
    if (c == U'\t')
        return true;
    return lineBreaksAllowed && (c == U'\n' || c == U'\r');
}

// Control characters other than tab (and line breaks where they make sense)
// could rewrite the terminal of anyone reading with nc, so they are refused.
std::optional<RuleViolation> checkFreeText(QStringView text, const QString &what, bool lineBreaksAllowed)
{
    if (!text.isValidUtf16())
        return RuleViolation{ErrorCode::TextInvalid, u"the %1 is not valid Unicode"_s.arg(what)};
    for (const QChar c : text) {
        const char16_t u = c.unicode();
        if ((u < 0x20 || u == 0x7F || (u >= 0x80 && u < 0xA0)) && !isAllowedControl(u, lineBreaksAllowed))
            return RuleViolation{ErrorCode::TextInvalid,
                                 u"the %1 contains a control character (U+%2)"_s.arg(
                                         what, QString::number(uint(u), 16).toUpper().rightJustified(4, u'0'))};
    }
    return std::nullopt;
}

std::optional<RuleViolation> checkShortText(QStringView text, const QString &what, int maxChars)
{
    if (auto violation = checkFreeText(text, what, false))
        return violation;
    if (codePointCount(text) > maxChars)
        return RuleViolation{ErrorCode::TextInvalid, u"the %1 has at most %2 characters"_s.arg(what).arg(maxChars)};
    return std::nullopt;
}

} // namespace

std::optional<RuleViolation> checkNick(QStringView nick)
{
    return checkName(nick, NameKind::Nick);
}

std::optional<RuleViolation> checkRoom(QStringView room)
{
    return checkName(room, NameKind::Room);
}

std::optional<RuleViolation> checkText(QStringView text)
{
    if (auto violation = checkFreeText(text, u"text"_s, true))
        return violation;
    const qsizetype bytes = utf8Length(text);
    if (bytes > Defaults::MaxTextBytes)
        return RuleViolation{ErrorCode::TextInvalid,
                             u"the text is %1 bytes of UTF-8; at most %2 are allowed"_s.arg(bytes).arg(
                                     Defaults::MaxTextBytes)};
    if (text.trimmed().isEmpty())
        return RuleViolation{ErrorCode::TextInvalid, u"the text is empty or only white space"_s};
    return std::nullopt;
}

std::optional<RuleViolation> checkTopic(QStringView topic)
{
    return checkShortText(topic, u"topic"_s, Defaults::MaxTopicChars);
}

std::optional<RuleViolation> checkReason(QStringView reason)
{
    return checkShortText(reason, u"reason"_s, Defaults::MaxReasonChars);
}

std::optional<RuleViolation> checkClientName(QStringView client)
{
    return checkShortText(client, u"client name"_s, Defaults::MaxClientChars);
}

QString nameKey(QStringView name)
{
    return name.toString().normalized(QString::NormalizationForm_KC).toCaseFolded().normalized(
            QString::NormalizationForm_KC);
}

} // namespace Confab::Protocol
