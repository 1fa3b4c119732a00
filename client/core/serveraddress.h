#pragma once

#include <QString>

#include <optional>

// Where a client connects: "host", "host:port", "[v6]:port" (JSON lines over
// TCP), "tls://host:port" (TCP with TLS), or a "ws://" or "wss://" URL (the
// server's /ws endpoint when no path is given).
struct ServerAddress
{
    enum class Transport { Tcp, WebSocket };

    Transport transport = Transport::Tcp;
    bool tls = false;
    QString host;
    quint16 port = 0;
    QString path; // WebSocket only

    static std::optional<ServerAddress> parse(const QString &text, QString *error = nullptr);
    // The canonical spelling, as parse() accepts it.
    QString toString() const;
    // host:port, for settings keys and messages.
    QString hostAndPort() const;

    friend bool operator==(const ServerAddress &a, const ServerAddress &b)
    {
        return a.transport == b.transport && a.tls == b.tls && a.host == b.host && a.port == b.port
               && a.path == b.path;
    }
};
