#pragma once

#include <QList>
#include <QPair>
#include <QString>

#include <optional>

// Where a client connects: "host", "host:port", "[v6]:port" (JSON lines over
// TCP), "tls://host:port" (TCP with TLS), or a "ws://" or "wss://" URL (the
// server's /ws endpoint when no path is given).
//
// A cluster (several servers that are one chat) is a comma-separated list,
// "chat1:7700, chat2:7700": the client uses the first that answers and moves
// on to the next when one is lost. The others share the first's scheme (and
// path); each may have a port of its own.
struct ServerAddress
{
    enum class Transport { Tcp, WebSocket };

    Transport transport = Transport::Tcp;
    bool tls = false;
    QString host;
    quint16 port = 0;
    QString path; // WebSocket only
    // The cluster's other servers: host and port.
    QList<QPair<QString, quint16>> alternates;

    static std::optional<ServerAddress> parse(const QString &text, QString *error = nullptr);
    // The canonical spelling, as parse() accepts it.
    QString toString() const;
    // host:port of the first server, for settings keys and messages: a
    // cluster is known by its first address.
    QString hostAndPort() const;
    // Each server on its own, the first first.
    QList<ServerAddress> servers() const;

    friend bool operator==(const ServerAddress &a, const ServerAddress &b)
    {
        return a.transport == b.transport && a.tls == b.tls && a.host == b.host && a.port == b.port
               && a.path == b.path && a.alternates == b.alternates;
    }
};
