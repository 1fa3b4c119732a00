#include "mask.h"

#include "names.h"

#include <QList>

#include <algorithm>

namespace {

// Glob matching on code points, iterative with one backtrack point: linear
// in practice, never exponential whatever the pattern.
bool globMatches(const QList<uint> &pattern, const QList<uint> &text)
{
    qsizetype p = 0;
    qsizetype t = 0;
    qsizetype star = -1;
    qsizetype resume = 0;
    while (t < text.size()) {
        if (p < pattern.size() && (pattern[p] == '?' || (pattern[p] != '*' && pattern[p] == text[t]))) {
            ++p;
            ++t;
        } else if (p < pattern.size() && pattern[p] == '*') {
            star = p++;
            resume = t;
        } else if (star >= 0) {
            p = star + 1;
            t = ++resume;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*')
        ++p;
    return p == pattern.size();
}

// An IPv4 client on a dual-stack socket shows up as ::ffff:a.b.c.d. (Qt's
// toIPv4Address() also takes "::" for 0.0.0.0, which is not meant here.)
QHostAddress plain(const QHostAddress &address)
{
    if (address.protocol() != QAbstractSocket::IPv6Protocol)
        return address;
    const Q_IPV6ADDR v6 = address.toIPv6Address();
    for (int i = 0; i < 10; ++i) {
        if (v6[i] != 0)
            return address;
    }
    if (v6[10] != 0xff || v6[11] != 0xff)
        return address;
    return QHostAddress((quint32(v6[12]) << 24) | (quint32(v6[13]) << 16) | (quint32(v6[14]) << 8) | v6[15]);
}

// inet_aton would read "192.0.2" as 192.0.0.2: an IPv4 mask is written in full.
bool isWrittenInFull(QStringView address)
{
    const QStringView host = address.first(address.contains(u'/') ? address.indexOf(u'/') : address.size());
    return host.contains(u':') || host.count(u'.') == 3;
}

// A glob may hold what a nick may, plus * and ?.
bool isGlobCharacter(QChar c)
{
    return c == u'*' || c == u'?' || c == u'_' || c == u'-' || c == u'.' || c.isLetterOrNumber() || c.isMark()
           || c.isSurrogate();
}

} // namespace

std::optional<Mask> Mask::parse(QStringView text, QString *error)
{
    const qsizetype colon = text.indexOf(u':');
    if (colon <= 0) {
        *error = QStringLiteral("a mask is account:NAME, nick:GLOB or address:CIDR");
        return std::nullopt;
    }
    const QString kind = text.first(colon).toString().toLower();
    const QStringView value = text.sliced(colon + 1);
    Mask mask;
    mask.m_text = text.toString();
    if (kind == QLatin1String("account")) {
        if (const auto violation = Confab::Protocol::checkNick(value)) {
            *error = QStringLiteral("an account mask needs an account name: %1").arg(violation->reason);
            return std::nullopt;
        }
        mask.m_kind = Kind::Account;
        mask.m_folded = Confab::Protocol::nameKey(value);
        return mask;
    }
    if (kind == QLatin1String("nick")) {
        if (value.isEmpty() || value.size() > 64 || !std::all_of(value.begin(), value.end(), isGlobCharacter)) {
            *error = QStringLiteral("a nick mask is a nick with * and ?, e.g. nick:spam*");
            return std::nullopt;
        }
        mask.m_kind = Kind::Nick;
        mask.m_folded = Confab::Protocol::nameKey(value);
        return mask;
    }
    if (kind == QLatin1String("address")) {
        QPair<QHostAddress, int> subnet = QHostAddress::parseSubnet(value.toString());
        if (!isWrittenInFull(value))
            subnet.first = QHostAddress();
        if (subnet.first.isNull()) {
            const QHostAddress single(value.toString());
            if (single.isNull() || value.contains(u'/') || !isWrittenInFull(value)) {
                *error = QStringLiteral("an address mask is an IPv4 or IPv6 address or network, e.g. "
                                        "address:192.0.2.0/24");
                return std::nullopt;
            }
            subnet = {single, single.protocol() == QAbstractSocket::IPv4Protocol ? 32 : 128};
        }
        mask.m_kind = Kind::Address;
        mask.m_network = plain(subnet.first);
        // ::ffff:10.0.0.0/104 is 10.0.0.0/8.
        const bool mapped = subnet.first.protocol() == QAbstractSocket::IPv6Protocol
                            && mask.m_network.protocol() == QAbstractSocket::IPv4Protocol;
        mask.m_prefixLength = mapped ? qMax(0, subnet.second - 96) : subnet.second;
        return mask;
    }
    *error = QStringLiteral("unknown mask kind '%1': use account:, nick: or address:").arg(kind);
    return std::nullopt;
}

bool Mask::matches(const Subject &subject) const
{
    switch (m_kind) {
    case Kind::Account:
        return !subject.accountKey.isEmpty() && subject.accountKey == m_folded;
    case Kind::Nick:
        return globMatches(m_folded.toUcs4(), Confab::Protocol::nameKey(subject.nick).toUcs4());
    case Kind::Address:
        return plain(subject.address).isInSubnet(m_network, m_prefixLength);
    }
    return false;
}

QString Mask::key() const
{
    switch (m_kind) {
    case Kind::Account:
        return QStringLiteral("account:") + m_folded;
    case Kind::Nick:
        return QStringLiteral("nick:") + m_folded;
    case Kind::Address:
        return QStringLiteral("address:%1/%2").arg(m_network.toString()).arg(m_prefixLength);
    }
    return m_text;
}
