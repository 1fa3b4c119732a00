#include "names.h"

#include "defaults.h"

#include <QList>
#include <QTextBoundaryFinder>

#include <algorithm>


namespace Confab::Protocol {

namespace {

using namespace Qt::StringLiterals;

enum class NameKind { Nick, Room };

QString codePointName(char32_t c)
{
    return u"U+%1"_s.arg(QString::number(uint(c), 16).toUpper().rightJustified(4, u'0'));
}

// Code points that draw nothing, or nothing on their own: Unicode's
// Default_Ignorable_Code_Point (DerivedCoreProperties.txt) plus the blank
// letters that are not in it (Braille blank, Hangul fillers are). A name with
// one of them can look exactly like another name; a text made only of them
// looks empty.
bool isInvisible(char32_t c)
{
    return c == 0x00AD || c == 0x034F || c == 0x061C || c == 0x115F || c == 0x1160 || c == 0x17B4
           || c == 0x17B5 || (c >= 0x180B && c <= 0x180F) || (c >= 0x200B && c <= 0x200F)
           || (c >= 0x202A && c <= 0x202E) || (c >= 0x2060 && c <= 0x206F) || c == 0x2800 || c == 0x3164
           || (c >= 0xFE00 && c <= 0xFE0F) || c == 0xFEFF || c == 0xFFA0 || (c >= 0xFFF0 && c <= 0xFFF8)
           || (c >= 0x1BCA0 && c <= 0x1BCA3) || (c >= 0x1D173 && c <= 0x1D17A) || (c >= 0xE0000 && c <= 0xE0FFF);
}

// UTS #39's "highly restrictive" level: one script, or Latin together with
// the scripts that Chinese, Japanese and Korean are written in alongside it.
// Common (digits, '_', '-', '.') and Inherited (combining marks) go with any.
bool isAllowedScriptMix(const QList<QChar::Script> &scripts)
{
    if (scripts.size() <= 1)
        return true;
    static const QList<QList<QChar::Script>> allowed = {
            {QChar::Script_Latin, QChar::Script_Han, QChar::Script_Hiragana, QChar::Script_Katakana},
            {QChar::Script_Latin, QChar::Script_Han, QChar::Script_Bopomofo},
            {QChar::Script_Latin, QChar::Script_Han, QChar::Script_Hangul},
    };
    for (const QList<QChar::Script> &set : allowed) {
        if (std::all_of(scripts.begin(), scripts.end(), [&](QChar::Script s) { return set.contains(s); }))
            return true;
    }
    return false;
}

QString scriptName(QChar::Script script)
{
    switch (script) {
    case QChar::Script_Latin: return u"Latin"_s;
    case QChar::Script_Greek: return u"Greek"_s;
    case QChar::Script_Cyrillic: return u"Cyrillic"_s;
    case QChar::Script_Armenian: return u"Armenian"_s;
    case QChar::Script_Hebrew: return u"Hebrew"_s;
    case QChar::Script_Arabic: return u"Arabic"_s;
    case QChar::Script_Han: return u"Han"_s;
    case QChar::Script_Hiragana: return u"Hiragana"_s;
    case QChar::Script_Katakana: return u"Katakana"_s;
    case QChar::Script_Hangul: return u"Hangul"_s;
    case QChar::Script_Cherokee: return u"Cherokee"_s;
    default: return u"script %1"_s.arg(int(script));
    }
}

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
    QList<QChar::Script> scripts;
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
        if (isInvisible(c))
            return RuleViolation{code, u"a %1 must not contain invisible characters (found %2)"_s.arg(
                                               what, codePointName(c))};
        if (first && kind == NameKind::Nick && QChar::category(c) == QChar::Number_DecimalDigit)
            return RuleViolation{code, u"a nick must not start with a digit"_s};
        if (!isNameCharacter(c, first)) {
            if (first && (c == U'-' || c == U'.'))
                return RuleViolation{code, u"a %1 must not start with '%2'"_s.arg(what, QChar(c))};
            const auto category = QChar::category(c);
            if (first && (category == QChar::Mark_NonSpacing || category == QChar::Mark_SpacingCombining
                          || category == QChar::Mark_Enclosing)) {
                return RuleViolation{code, u"a %1 must not start with a combining mark, which belongs on the "
                                           "letter before it (found %2)"_s.arg(what, codePointName(c))};
            }
            if (QChar::isPrint(c) && !QChar::isSpace(c)) {
                return RuleViolation{code,
                                     u"a %1 may contain only letters, digits, '_', '-' and '.' (found '%2', %3)"_s.arg(
                                             what, QString::fromUcs4(&c, 1), codePointName(c))};
            }
            return RuleViolation{code,
                                 u"a %1 may contain only letters, digits, '_', '-' and '.' (found %2)"_s.arg(
                                         what, codePointName(c))};
        }
        if (++count > maxChars)
            return RuleViolation{code, u"a %1 has at most %2 characters"_s.arg(what).arg(maxChars)};
        const QChar::Script script = QChar::script(c);
        if (script != QChar::Script_Common && script != QChar::Script_Inherited && !scripts.contains(script))
            scripts.append(script);
    }
    // "аlice" with a Cyrillic а looks like "alice": names keep to one script
    // (or Latin with Han/Kana/Hangul), so a look-alike must be whole-script.
    if (!isAllowedScriptMix(scripts)) {
        return RuleViolation{code, u"a %1 must not mix scripts that look alike (%2 and %3)"_s.arg(
                                           what, scriptName(scripts.at(0)), scriptName(scripts.at(1)))};
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

// Text is valid UTF-16 here.
bool hasVisibleCharacter(QStringView text)
{
    for (qsizetype i = 0; i < text.size(); ++i) {
        char32_t c = text[i].unicode();
        if (text[i].isHighSurrogate() && i + 1 < text.size()) {
            c = QChar::surrogateToUcs4(text[i], text[i + 1]);
            ++i;
        }
        if (!QChar::isSpace(c) && !isInvisible(c))
            return true;
    }
    return false;
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
    if (!hasVisibleCharacter(text))
        return RuleViolation{ErrorCode::TextInvalid, u"the text is empty, or only white space and invisible characters"_s};
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

std::optional<RuleViolation> checkPassword(QStringView password)
{
    const qsizetype length = codePointCount(password);
    if (length < Defaults::MinPasswordChars || length > Defaults::MaxPasswordChars) {
        return RuleViolation{ErrorCode::PasswordInvalid, u"a password has %1 to %2 characters"_s.arg(
                                                                 Defaults::MinPasswordChars)
                                                                 .arg(Defaults::MaxPasswordChars)};
    }
    return std::nullopt;
}

std::optional<RuleViolation> checkReaction(QStringView emoji)
{
    // A symbol first (So covers emoji, hearts, check marks), one grapheme in
    // all (so a flag or a family with joiners counts as one), and short.
    QTextBoundaryFinder graphemes(QTextBoundaryFinder::Grapheme, emoji.data(), int(emoji.size()));
    const qsizetype end = graphemes.toNextBoundary();
    const bool oneGrapheme = !emoji.isEmpty() && end == emoji.size();
    const char32_t first = emoji.isEmpty() ? 0 : char32_t(emoji.toUcs4().value(0));
    if (!oneGrapheme || emoji.size() > Defaults::MaxReactionUnits
        || QChar::category(first) != QChar::Symbol_Other)
        return RuleViolation{ErrorCode::TextInvalid, u"a reaction is one emoji, such as 👍"_s};
    return std::nullopt;
}

QString nameKey(QStringView name)
{
    return name.toString().normalized(QString::NormalizationForm_KC).toCaseFolded().normalized(
            QString::NormalizationForm_KC);
}

} // namespace Confab::Protocol
