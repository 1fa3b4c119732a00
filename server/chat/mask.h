#pragma once

#include <QHostAddress>
#include <QString>

#include <optional>

// Whom a ban (or a server ban) is about (protocol section 13):
//
//   account:NAME   a session logged in to that account
//   nick:GLOB      a nick, with * (any run) and ? (one character), compared
//                  like nicks (NFKC, case folded)
//   address:CIDR   an IPv4 or IPv6 address or network ("10.0.0.0/8",
//                  "2001:db8::/32", "192.0.2.7")
class Mask final
{
public:
    enum class Kind { Account, Nick, Address };

    // nullopt, with *error saying why, if `text` is not a mask.
    static std::optional<Mask> parse(QStringView text, QString *error);

    // Who is being checked: the account key (empty when not logged in),
    // the nick, the peer address.
    struct Subject
    {
        QString accountKey;
        QString nick;
        QHostAddress address;
    };
    bool matches(const Subject &subject) const;

    Kind kind() const { return m_kind; }
    // The mask as written, for lists and the audit log.
    const QString &text() const { return m_text; }
    // Two masks with the same key ban the same people ("nick:Bob*" and
    // "NICK:bob*"): the key under which a ban is stored.
    QString key() const;

private:
    Mask() = default;

    Kind m_kind = Kind::Nick;
    QString m_text;
    QString m_folded;           // account and nick: nameKey of the name or glob
    QHostAddress m_network;     // address
    int m_prefixLength = -1;    // address
};
