#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QUrl>

class QTcpSocket;
class QWebSocket;

// A test's view of one chat connection, over TCP (optionally TLS) or
// WebSocket (optionally wss). Reads are waited for on the socket's signals.
class ChatClient final : public QObject
{
    Q_OBJECT

public:
    enum class Transport { Tcp, Tls, WebSocket, SecureWebSocket };

    explicit ChatClient(Transport transport = Transport::Tcp, QObject *parent = nullptr);
    ~ChatClient() override;

    bool connectTo(quint16 port, int timeoutMs = 10'000);
    void send(const QJsonObject &message);
    // Bytes as they are; for TCP, the caller supplies any line break.
    void sendRaw(const QByteArray &bytes);
    void sendBinary(const QByteArray &bytes);

    // The next message, or an empty object after the timeout.
    QJsonObject next(int timeoutMs = 10'000);
    // Skips messages until one of `type` arrives; empty object on timeout.
    QJsonObject waitFor(const QString &type, int timeoutMs = 10'000);
    bool waitForDisconnected(int timeoutMs = 10'000);
    bool isConnected() const;
    // Everything received so far and not yet taken by next()/waitFor().
    QList<QJsonObject> pending() const { return m_inbox; }
    QList<QJsonObject> takePending() { return std::exchange(m_inbox, {}); }
    // Stops reading from the socket (the kernel buffers fill up).
    void stopReading();

    // Sends `type` with `fields` (and an id, unless they have one) and
    // returns the answer: the message of `replyType`, or the error, that
    // carries the id; events in between are skipped (empty on timeout).
    QJsonObject ask(const QString &type, const QJsonObject &fields, const QString &replyType, int timeoutMs = 20'000);
    // "welcome", "joined"... for a reply; the error code for an error.
    static QString outcome(const QJsonObject &message);

    // hello + welcome; returns false if the server refused.
    bool login(const QString &nick);
    // hello as `nick`, logged in to `account`; with `registering`, the nick
    // is made that account first (hello as a guest, then register). False
    // if the server refused either.
    bool loginToAccount(const QString &nick, const QString &account, const QString &password, bool registering);
    // join + joined.
    QJsonObject join(const QString &room);
    // quit, and wait until the server has closed the connection: its nick
    // is free again once this returns true.
    bool quit();
    // connect + login + join each room; false at the first step that fails.
    bool enter(quint16 port, const QString &nick, const QStringList &rooms = {});

private:
    void onTcpData();

    Transport m_transport;
    QTcpSocket *m_tcp = nullptr;
    QWebSocket *m_ws = nullptr;
    QByteArray m_buffer;
    QList<QJsonObject> m_inbox;
    bool m_reading = true;
};
