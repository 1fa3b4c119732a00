#pragma once

#include "frametransport.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QList>

// The client core's seam for a server in the same process: a FrameTransport
// that does only what the test says, when it says it. The test accepts or
// refuses each connection attempt, reads the frames the client sent (as
// JSON objects, in order) and answers with frames of its own, so that
// reconnect, catch-up and scroll-back cases run frame by frame without
// sockets, processes or waiting on timers.
class ScriptedServer final : public FrameTransport
{
public:
    using FrameTransport::FrameTransport;

    // FrameTransport
    void open(const ServerAddress &address) override
    {
        Q_UNUSED(address)
        m_open = false;
        m_connecting = true;
        ++m_attempts;
        m_sent.clear();
    }
    void close() override
    {
        m_open = false;
        m_connecting = false;
    }
    bool isOpen() const override { return m_open; }
    void send(const QByteArray &frame) override { m_sent.append(QJsonDocument::fromJson(frame).object()); }

    // How many times the client tried to connect.
    int attempts() const { return m_attempts; }
    // Whether the client is waiting for its latest attempt to be answered.
    bool isConnecting() const { return m_connecting; }
    // The latest attempt succeeds (the client says hello next) or fails.
    void accept()
    {
        m_connecting = false;
        m_open = true;
        emit opened();
    }
    void refuse(const QString &reason = QStringLiteral("Connection refused"))
    {
        m_connecting = false;
        emit closed(reason);
    }
    // The connection goes, as when the server dies.
    void drop(const QString &reason = QStringLiteral("The remote host closed the connection"))
    {
        m_open = false;
        emit closed(reason);
    }

    // Frames the client sent on this connection that were not taken yet.
    const QList<QJsonObject> &sent() const { return m_sent; }
    // Takes the first frame of this type the client sent (skipping and
    // keeping others); an empty object if there is none.
    QJsonObject take(const QString &type)
    {
        for (qsizetype i = 0; i < m_sent.size(); ++i) {
            if (m_sent.at(i).value(QLatin1String("type")).toString() == type)
                return m_sent.takeAt(i);
        }
        return {};
    }
    qsizetype count(const QString &type) const
    {
        qsizetype n = 0;
        for (const QJsonObject &frame : m_sent)
            n += frame.value(QLatin1String("type")).toString() == type;
        return n;
    }

    // A frame from the server; with `request`, as the answer to it (its id).
    void say(QJsonObject frame, const QJsonObject &request = {})
    {
        if (request.contains(QLatin1String("id")))
            frame.insert(QLatin1String("id"), request.value(QLatin1String("id")));
        emit frameReceived(QJsonDocument(frame).toJson(QJsonDocument::Compact));
    }

private:
    QList<QJsonObject> m_sent;
    int m_attempts = 0;
    bool m_open = false;
    bool m_connecting = false;
};
