#include "inprocesschat.h"

#include "sqlstore.h"

#include <QJsonDocument>
#include <QTest>
#include <QTimer>

using namespace Qt::StringLiterals;

// ------------------------------------------------------------ FakeConnection

FakeConnection::FakeConnection(ConnectionHandler *handler, const QHostAddress &peer)
    : Connection(handler, Transport::Tcp, peer, 40000, false)
{
}

void FakeConnection::writeFrame(const QByteArray &frame)
{
    frames.append(frame);
    inbox.append(QJsonDocument::fromJson(frame).object());
}

void FakeConnection::closeTransport()
{
    transportClosed();
}

void FakeConnection::abortTransport()
{
    transportClosed();
}

// ------------------------------------------------------------ FakeClient

FakeClient::FakeClient(ChatService *service, FakeConnection *connection)
    : m_service(service)
    , m_connection(connection)
{
}

FakeClient::~FakeClient()
{
    if (m_connection)
        drop();
}

void FakeClient::send(const QJsonObject &request)
{
    sendRaw(QJsonDocument(request).toJson(QJsonDocument::Compact));
}

void FakeClient::sendRaw(const QByteArray &frame)
{
    if (isConnected())
        m_service->frameReceived(m_connection, frame);
}

QJsonObject FakeClient::next(int timeoutMs)
{
    if (!QTest::qWaitFor([this] { return m_connection.isNull() || m_read < m_connection->inbox.size(); }, timeoutMs))
        return {};
    if (m_connection.isNull())
        return {};
    return m_connection->inbox.at(m_read++);
}

QJsonObject FakeClient::waitFor(const QString &type, int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    while (!deadline.hasExpired()) {
        const QJsonObject frame = next(int(deadline.remainingTime()));
        if (frame.isEmpty() || frame.value("type"_L1).toString() == type)
            return frame;
    }
    return {};
}

QJsonObject FakeClient::ask(const QJsonObject &request, int timeoutMs)
{
    QJsonObject withId = request;
    const int id = ++m_nextId;
    withId.insert("id"_L1, id);
    const qsizetype from = m_connection ? m_connection->inbox.size() : 0;
    send(withId);
    QJsonObject answer;
    (void)QTest::qWaitFor(
            [&] {
                if (m_connection.isNull())
                    return true;
                for (qsizetype i = from; i < m_connection->inbox.size(); ++i) {
                    if (m_connection->inbox.at(i).value("id"_L1) == id) {
                        answer = m_connection->inbox.at(i);
                        m_read = qMax(m_read, i + 1);
                        return true;
                    }
                }
                return false;
            },
            timeoutMs);
    return answer;
}

QList<QJsonObject> FakeClient::settle()
{
    const qsizetype from = m_read;
    const QJsonObject pong = ask({{"type"_L1, "ping"_L1}});
    QList<QJsonObject> all;
    if (m_connection.isNull())
        return all;
    for (qsizetype i = from; i < m_read; ++i) {
        if (m_connection->inbox.at(i) != pong)
            all.append(m_connection->inbox.at(i));
    }
    return all;
}

QList<QJsonObject> FakeClient::takeAll()
{
    QList<QJsonObject> all;
    while (m_connection && m_read < m_connection->inbox.size())
        all.append(m_connection->inbox.at(m_read++));
    return all;
}

void FakeClient::drop()
{
    if (m_connection.isNull())
        return;
    m_connection->abort(u"connection lost"_s);
    (void)QTest::qWaitFor([this] { return m_connection.isNull(); }, 5000);
}

// ------------------------------------------------------------ InProcessChat

ChatService::Settings InProcessChat::defaultSettings()
{
    ChatService::Settings settings;
    settings.serverName = u"in-process"_s;
    return settings;
}

InProcessChat::InProcessChat(ChatService::Settings settings)
{
    if (!m_dir.isValid()) {
        m_error = u"no temporary directory"_s;
        return;
    }
    m_store = SqlStore::open(m_dir.filePath(u"chat.db"_s), &m_error);
    if (!m_store)
        return;
    m_service = std::make_unique<ChatService>(std::move(settings), m_store.get(), m_store.get(), m_store.get());
}

InProcessChat::~InProcessChat() = default;

std::unique_ptr<FakeClient> InProcessChat::connect(const QHostAddress &peer)
{
    auto *connection = new FakeConnection(m_service.get(), peer);
    m_service->connectionOpened(connection);
    return std::make_unique<FakeClient>(m_service.get(), connection);
}

std::unique_ptr<FakeClient> InProcessChat::guest(const QString &nick)
{
    auto client = connect();
    const QJsonObject answer = client->ask({{"type"_L1, "hello"_L1}, {"nick"_L1, nick}});
    if (answer.value("type"_L1) != "welcome"_L1)
        return nullptr;
    return client;
}

std::unique_ptr<FakeClient> InProcessChat::member(const QString &nick, const QStringList &rooms)
{
    auto client = guest(nick);
    if (!client)
        return nullptr;
    for (const QString &room : rooms) {
        if (client->ask({{"type"_L1, "join"_L1}, {"room"_L1, room}}).value("type"_L1) != "joined"_L1)
            return nullptr;
    }
    return client;
}

std::unique_ptr<FakeClient> InProcessChat::account(const QString &nick, const QString &password)
{
    auto client = guest(nick);
    if (!client)
        return nullptr;
    const QJsonObject answer =
            client->ask({{"type"_L1, "register"_L1}, {"password"_L1, password}}, 20'000);
    if (answer.value("type"_L1) != "registered"_L1)
        return nullptr;
    return client;
}
