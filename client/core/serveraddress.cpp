#include "serveraddress.h"

#include "defaults.h"

#include <QHostAddress>
#include <QUrl>

using namespace Qt::StringLiterals;

namespace {

QString withPort(const QString &host, quint16 port)
{
    return u"%1:%2"_s.arg(host.contains(u':') ? u"[%1]"_s.arg(host) : host).arg(port);
}

std::optional<ServerAddress> parseOne(const QString &input, QString *error);

} // namespace

std::optional<ServerAddress> ServerAddress::parse(const QString &input, QString *error)
{
    const QStringList items = input.split(u',');
    std::optional<ServerAddress> first = parseOne(items.first(), error);
    if (!first || items.size() == 1)
        return first;
    // The others in the first's scheme, unless they spell it themselves.
    const QString scheme = first->toString().section("://"_L1, 0, 0);
    const bool schemed = first->toString().contains("://"_L1);
    for (qsizetype i = 1; i < items.size(); ++i) {
        QString item = items.at(i).trimmed();
        if (item.isEmpty())
            continue; // "a, b," is forgiven
        if (schemed && !item.contains("://"_L1)) {
            item = scheme + "://"_L1 + item;
            if (first->transport == ServerAddress::Transport::WebSocket && !item.section("://"_L1, 1).contains(u'/'))
                item += first->path;
        }
        QString why;
        const std::optional<ServerAddress> other = parseOne(item, &why);
        if (!other) {
            if (error)
                *error = why;
            return std::nullopt;
        }
        if (other->transport != first->transport || other->tls != first->tls || other->path != first->path) {
            if (error)
                *error = u"'%1' does not use the same scheme as '%2': the servers of a list share it"_s.arg(
                        items.at(i).trimmed(), first->toString());
            return std::nullopt;
        }
        first->alternates.append({other->host, other->port});
    }
    return first;
}

QList<ServerAddress> ServerAddress::servers() const
{
    ServerAddress one = *this;
    one.alternates.clear();
    QList<ServerAddress> all{one};
    for (const auto &[host, port] : alternates) {
        one.host = host;
        one.port = port;
        all.append(one);
    }
    return all;
}

namespace {

std::optional<ServerAddress> parseOne(const QString &input, QString *error)
{
    using Transport = ServerAddress::Transport;
    auto fail = [&](const QString &why) -> std::optional<ServerAddress> {
        if (error)
            *error = why;
        return std::nullopt;
    };
    const QString text = input.trimmed();
    if (text.isEmpty())
        return fail(u"enter a server, for example localhost:7700"_s);

    ServerAddress address;
    const qsizetype schemeEnd = text.indexOf("://"_L1);
    QString scheme = schemeEnd > 0 ? text.left(schemeEnd).toLower() : QString();
    if (scheme == "ws"_L1 || scheme == "wss"_L1) {
        const QUrl url(text, QUrl::StrictMode);
        if (!url.isValid() || url.host().isEmpty())
            return fail(u"'%1' is not a valid WebSocket URL"_s.arg(text));
        address.transport = Transport::WebSocket;
        address.tls = scheme == "wss"_L1;
        address.host = url.host();
        const int port = url.port(address.tls ? 443 : Confab::Protocol::Defaults::HttpPort);
        address.port = quint16(port);
        address.path = url.path().isEmpty() ? u"/ws"_s : url.path();
        return address;
    }
    QString rest = text;
    if (scheme == "tls"_L1 || scheme == "tcp"_L1) {
        address.tls = scheme == "tls"_L1;
        rest = text.mid(schemeEnd + 3);
    } else if (!scheme.isEmpty()) {
        return fail(u"unknown scheme '%1': use host:port, tls://, ws:// or wss://"_s.arg(scheme));
    }

    QString host = rest;
    QString port;
    if (rest.startsWith(u'[')) {
        const qsizetype close = rest.indexOf(u']');
        if (close < 0)
            return fail(u"missing ']' in '%1'"_s.arg(text));
        host = rest.mid(1, close - 1);
        const QString after = rest.mid(close + 1);
        if (!after.isEmpty()) {
            if (!after.startsWith(u':'))
                return fail(u"'%1' is not host:port"_s.arg(text));
            port = after.mid(1);
        }
    } else if (rest.count(u':') == 1) {
        host = rest.section(u':', 0, 0);
        port = rest.section(u':', 1);
    } else if (rest.count(u':') > 1) {
        // A bare IPv6 address, no port.
        if (QHostAddress(rest).isNull())
            return fail(u"'%1' is not host:port (write IPv6 addresses as [addr]:port)"_s.arg(text));
    }
    if (host.isEmpty() || host.contains(u'/') || host.contains(u' '))
        return fail(u"'%1' is not a host name"_s.arg(host));
    address.host = host;
    address.port = Confab::Protocol::Defaults::TcpPort;
    if (!port.isEmpty()) {
        bool ok = false;
        const uint number = port.toUInt(&ok);
        if (!ok || number == 0 || number > 65535)
            return fail(u"'%1' is not a port number"_s.arg(port));
        address.port = quint16(number);
    }
    return address;
}

} // namespace

QString ServerAddress::hostAndPort() const
{
    return withPort(host, port);
}

QString ServerAddress::toString() const
{
    QString text;
    if (transport == Transport::WebSocket)
        text = u"%1://%2%3"_s.arg(tls ? u"wss"_s : u"ws"_s, hostAndPort(), path);
    else
        text = tls ? u"tls://"_s + hostAndPort() : hostAndPort();
    for (const auto &[otherHost, otherPort] : alternates)
        text += u", "_s + withPort(otherHost, otherPort) + (transport == Transport::WebSocket ? path : QString());
    return text;
}
