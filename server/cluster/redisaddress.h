#pragma once

#include <QString>

#include <optional>

// Where the cluster's Redis listens: HOST:PORT ([::1]:6379 for IPv6) or
// unix:PATH.
struct RedisAddress
{
    QString host;
    quint16 port = 6379;
    QString socketPath; // set for unix:PATH

    static std::optional<RedisAddress> parse(const QString &text)
    {
        RedisAddress address;
        if (text.startsWith(QLatin1String("unix:"))) {
            address.socketPath = text.mid(5);
            if (address.socketPath.isEmpty())
                return std::nullopt;
            return address;
        }
        const qsizetype colon = text.lastIndexOf(u':');
        if (colon <= 0)
            return std::nullopt;
        bool ok = false;
        const uint port = text.mid(colon + 1).toUInt(&ok);
        if (!ok || port == 0 || port > 65535)
            return std::nullopt;
        address.host = text.left(colon);
        if (address.host.startsWith(u'[') && address.host.endsWith(u']'))
            address.host = address.host.mid(1, address.host.size() - 2);
        if (address.host.isEmpty() || address.host.contains(u'/'))
            return std::nullopt;
        address.port = quint16(port);
        return address;
    }

    QString toString() const
    {
        if (!socketPath.isEmpty())
            return QStringLiteral("unix:") + socketPath;
        return (host.contains(u':') ? u'[' + host + u']' : host) + u':' + QString::number(port);
    }
};
