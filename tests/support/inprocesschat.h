#pragma once

#include "chatservice.h"
#include "connection.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QPointer>
#include <QTemporaryDir>

#include <memory>

class SqlStore;

// A connection with no socket behind it: what the service sends is kept,
// decoded, for the test to read; closing it is reported from the event
// loop, as a real transport does.
class FakeConnection final : public Connection
{
    Q_OBJECT

public:
    FakeConnection(ConnectionHandler *handler, const QHostAddress &peer);

    QList<QJsonObject> inbox;
    // The frames exactly as the service handed them over.
    QList<QByteArray> frames;

protected:
    void writeFrame(const QByteArray &frame) override;
    qint64 queuedBytes() const override { return 0; }
    void closeTransport() override;
    void abortTransport() override;
};

// One client of an InProcessChat: frames in, frames out.
class FakeClient
{
public:
    FakeClient(ChatService *service, FakeConnection *connection);
    ~FakeClient();

    // The request, encoded as a client would send it.
    void send(const QJsonObject &request);
    void sendRaw(const QByteArray &frame);
    // The next frame from the server, waiting for it if need be; an empty
    // object if none comes within the timeout.
    QJsonObject next(int timeoutMs = 5000);
    // Skips frames until one of `type`; empty on timeout.
    QJsonObject waitFor(const QString &type, int timeoutMs = 5000);
    // Sends the request with an id and returns what carries that id (the
    // answer or the error); what came before it counts as read.
    QJsonObject ask(const QJsonObject &request, int timeoutMs = 5000);
    // Everything the server sent up to now, once a ping sent now is
    // answered (the service answers in order, so anything caused earlier,
    // by anyone, is out by then); the pong itself is not included.
    QList<QJsonObject> settle();
    // Frames received and not yet read.
    QList<QJsonObject> takeAll();
    bool isConnected() const { return !m_connection.isNull() && !m_connection->isClosing(); }
    // Hangs up as a dropped network would, and waits until the service
    // has heard.
    void drop();

private:
    ChatService *m_service;
    QPointer<FakeConnection> m_connection;
    qsizetype m_read = 0;
    int m_nextId = 1'000'000;
};

// A ChatService in this process on a temporary SQLite database, with fake
// connections: a feature's rules tested without sockets, in milliseconds.
class InProcessChat
{
public:
    static ChatService::Settings defaultSettings();

    explicit InProcessChat(ChatService::Settings settings = defaultSettings());
    ~InProcessChat();

    bool isReady() const { return m_service != nullptr; }
    QString error() const { return m_error; }
    ChatService &service() { return *m_service; }
    // The SQLite file, for a second connection (the shell's account tool).
    QString databasePath() const { return m_dir.filePath(QStringLiteral("chat.db")); }

    std::unique_ptr<FakeClient> connect(const QHostAddress &peer = QHostAddress(QHostAddress::LocalHost));
    // Connected and welcomed as `nick`, or null.
    std::unique_ptr<FakeClient> guest(const QString &nick);
    // Welcomed as `nick` and in `rooms` (each joined), or null.
    std::unique_ptr<FakeClient> member(const QString &nick, const QStringList &rooms);
    // A new account `nick` registered and logged in, or null.
    std::unique_ptr<FakeClient> account(const QString &nick, const QString &password);

private:
    QTemporaryDir m_dir;
    std::unique_ptr<SqlStore> m_store;
    std::unique_ptr<ChatService> m_service;
    QString m_error;
};

// What the in-process feature tests say often.
namespace InProcess {

inline const QString Password = QStringLiteral("correct horse battery");

// "welcome", "joined"... for an answer; the error's code for an error.
inline QString outcome(const QJsonObject &answer)
{
    return answer.value(QLatin1String("type")) == QLatin1String("error") ? answer.value(QLatin1String("code")).toString()
                                                                        : answer.value(QLatin1String("type")).toString();
}

inline QJsonObject object(const QByteArray &json)
{
    return QJsonDocument::fromJson(json).object();
}

// hello as the guest `nick`.
inline QJsonObject guestHello(const QString &nick)
{
    return {{QLatin1String("type"), QLatin1String("hello")}, {QLatin1String("nick"), nick}};
}

// hello as `nick`, logged in to `account` with `password`.
inline QJsonObject login(const QString &nick, const QString &account, const QString &password = Password)
{
    return {{QLatin1String("type"), QLatin1String("hello")},
            {QLatin1String("nick"), nick},
            {QLatin1String("login"), QJsonObject{{QLatin1String("account"), account}, {QLatin1String("password"), password}}}};
}

} // namespace InProcess
