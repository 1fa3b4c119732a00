#include "refusal.h"

#include <QStringList>

using Confab::Protocol::ErrorCode;
using namespace Qt::StringLiterals;

namespace Refusal {

QString advice(ErrorCode code)
{
    switch (code) {
    case ErrorCode::NickReserved:
        return u"That nick belongs to an account: log in to it, or choose another nick."_s;
    case ErrorCode::LoginFailed:
        return u"Check the account name and the password."_s;
    case ErrorCode::LoginRequired:
        return u"Only registered users may enter this server: log in to your account."_s;
    case ErrorCode::NotLoggedIn:
        return u"Log in with /login ACCOUNT PASSWORD, or make your nick an account with /register PASSWORD."_s;
    case ErrorCode::PasswordInvalid:
        return u"A password has 8 to 256 characters."_s;
    case ErrorCode::AccountExists:
        return u"Log in to it instead, or register under another nick."_s;
    case ErrorCode::InviteOnly:
        return u"Ask one of its ops to invite you."_s;
    case ErrorCode::BadKey:
        return u"Join with /join ROOM KEY, using the key its ops gave you."_s;
    case ErrorCode::RateLimited:
        return u"Wait a little, then try again."_s;
    default:
        return {};
    }
}

QString sentence(ErrorCode code, const QString &message)
{
    QString text = message.trimmed();
    if (text.isEmpty())
        text = QString(Confab::Protocol::errorCodeName(code)).replace(u'_', u' ');
    return withAdvice(text, advice(code));
}

QString withAdvice(const QString &message, const QString &more)
{
    QString text = message.trimmed();
    if (text.isEmpty())
        return more;
    // The server's explanations start with a word, or with a nick or a
    // room's name, which must stay as it is spelt.
    static const QStringList sentenceStarts = {
            u"a"_s,    u"an"_s,    u"at"_s,   u"banned"_s, u"error"_s, u"hello"_s, u"it"_s,   u"log"_s,
            u"names"_s, u"nicks"_s, u"no"_s,  u"not"_s,    u"only"_s,  u"passwords"_s, u"ping"_s, u"rooms"_s,
            u"send"_s, u"server"_s, u"text"_s, u"that"_s,  u"the"_s,   u"there"_s, u"this"_s, u"too"_s,
            u"wait"_s, u"what"_s,  u"wrong"_s, u"you"_s,   u"your"_s};
    if (sentenceStarts.contains(text.section(u' ', 0, 0)))
        text[0] = text[0].toUpper();
    if (!text.endsWith(u'.') && !text.endsWith(u'!') && !text.endsWith(u'?'))
        text += u'.';
    // Advice that only says the same again is left out.
    if (more.isEmpty() || more.compare(text, Qt::CaseInsensitive) == 0)
        return text;
    return text + u' ' + more;
}

} // namespace Refusal
