#include "chatclient.h"

#include <QDeadlineTimer>
#include <QEventLoop>
#include <QTimer>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QSslSocket>
#include <QTcpSocket>
#include <QWebSocket>

ChatClient::ChatClient(Transport transport, QObject *parent)
    : QObject(parent)
    , m_transport(transport)
{
    if (transport == Transport::Tcp || transport == Transport::Tls) {
        m_tcp = transport == Transport::Tls ? new QSslSocket(this) : new QTcpSocket(this);
        connect(m_tcp, &QTcpSocket::readyRead, this, &ChatClient::onTcpData);
        if (auto *ssl = qobject_cast<QSslSocket *>(m_tcp)) {
            // Tests use a self-signed certificate made at run time.
            ssl->setPeerVerifyMode(QSslSocket::VerifyNone);
        }
    } else {
        m_ws = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, this);
        connect(m_ws, &QWebSocket::textMessageReceived, this, [this](const QString &text) {
            m_inbox.append(QJsonDocument::fromJson(text.toUtf8()).object());
        });
        connect(m_ws, &QWebSocket::sslErrors, m_ws, [this](const QList<QSslError> &) { m_ws->ignoreSslErrors(); });
    }
}

ChatClient::~ChatClient() = default;

bool ChatClient::connectTo(quint16 port, int timeoutMs)
{
    if (m_ws) {
        const QString scheme = m_transport == Transport::SecureWebSocket ? QStringLiteral("wss") : QStringLiteral("ws");
        // Either connected, or refused (an HTTP error instead of the upgrade).
        QEventLoop loop;
        connect(m_ws, &QWebSocket::connected, &loop, &QEventLoop::quit);
        connect(m_ws, &QWebSocket::disconnected, &loop, &QEventLoop::quit);
        QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
        m_ws->open(QUrl(QStringLiteral("%1://127.0.0.1:%2/ws").arg(scheme).arg(port)));
        if (m_ws->state() != QAbstractSocket::ConnectedState)
            loop.exec();
        return m_ws->state() == QAbstractSocket::ConnectedState;
    }
    if (auto *ssl = qobject_cast<QSslSocket *>(m_tcp)) {
        ssl->connectToHostEncrypted(QStringLiteral("127.0.0.1"), port);
        return ssl->waitForEncrypted(timeoutMs);
    }
    m_tcp->connectToHost(QStringLiteral("127.0.0.1"), port);
    return m_tcp->waitForConnected(timeoutMs);
}

void ChatClient::send(const QJsonObject &message)
{
    const QByteArray json = QJsonDocument(message).toJson(QJsonDocument::Compact);
    if (m_ws)
        m_ws->sendTextMessage(QString::fromUtf8(json));
    else
        m_tcp->write(json + '\n');
}

void ChatClient::sendRaw(const QByteArray &bytes)
{
    if (m_ws)
        m_ws->sendTextMessage(QString::fromUtf8(bytes));
    else
        m_tcp->write(bytes);
}

void ChatClient::sendBinary(const QByteArray &bytes)
{
    if (m_ws)
        m_ws->sendBinaryMessage(bytes);
}

void ChatClient::onTcpData()
{
    if (!m_reading)
        return;
    m_buffer += m_tcp->readAll();
    qsizetype newline;
    while ((newline = m_buffer.indexOf('\n')) >= 0) {
        const QByteArray line = m_buffer.left(newline);
        m_buffer.remove(0, newline + 1);
        m_inbox.append(QJsonDocument::fromJson(line).object());
    }
}

void ChatClient::stopReading()
{
    m_reading = false;
    if (m_tcp)
        m_tcp->setReadBufferSize(1);
    if (m_ws)
        m_ws->setReadBufferSize(1);
}

QJsonObject ChatClient::next(int timeoutMs)
{
    const QDeadlineTimer deadline(timeoutMs);
    while (m_inbox.isEmpty() && !deadline.hasExpired()) {
        if (!isConnected()) {
            if (m_tcp)
                onTcpData();
            break;
        }
        if (m_ws) {
            QSignalSpy spy(m_ws, &QWebSocket::textMessageReceived);
            spy.wait(int(qMax<qint64>(1, deadline.remainingTime())));
        } else {
            QSignalSpy spy(m_tcp, &QTcpSocket::readyRead);
            spy.wait(int(qMax<qint64>(1, deadline.remainingTime())));
        }
    }
    return m_inbox.isEmpty() ? QJsonObject() : m_inbox.takeFirst();
}

QJsonObject ChatClient::waitFor(const QString &type, int timeoutMs)
{
    const QDeadlineTimer deadline(timeoutMs);
    while (!deadline.hasExpired()) {
        const QJsonObject message = next(int(qMax<qint64>(1, deadline.remainingTime())));
        if (message.isEmpty())
            return message;
        if (message.value(QLatin1String("type")).toString() == type)
            return message;
    }
    return {};
}

QJsonObject ChatClient::ask(const QString &type, const QJsonObject &fields, const QString &replyType, int timeoutMs)
{
    // The reply is told from events by its id.
    static int counter = 0;
    QJsonObject message = fields;
    message.insert(QStringLiteral("type"), type);
    if (!message.contains(QLatin1String("id")))
        message.insert(QStringLiteral("id"), QStringLiteral("ask-%1").arg(++counter));
    const QJsonValue id = message.value(QLatin1String("id"));
    send(message);
    const QDeadlineTimer deadline(timeoutMs);
    while (!deadline.hasExpired()) {
        const QJsonObject reply = next(int(qMax<qint64>(1, deadline.remainingTime())));
        if (reply.isEmpty())
            return reply;
        const QString replyTypeSeen = reply.value(QLatin1String("type")).toString();
        if (reply.value(QLatin1String("id")) == id
            && (replyTypeSeen == replyType || replyTypeSeen == QLatin1String("error"))) {
            return reply;
        }
    }
    return {};
}

QString ChatClient::outcome(const QJsonObject &message)
{
    const QString type = message.value(QLatin1String("type")).toString();
    return type == QLatin1String("error") ? message.value(QLatin1String("code")).toString() : type;
}

bool ChatClient::isConnected() const
{
    return m_ws ? m_ws->state() == QAbstractSocket::ConnectedState
                : m_tcp->state() == QAbstractSocket::ConnectedState;
}

bool ChatClient::waitForDisconnected(int timeoutMs)
{
    if (!isConnected())
        return true;
    if (m_ws) {
        QSignalSpy spy(m_ws, &QWebSocket::disconnected);
        return spy.wait(timeoutMs) || !isConnected();
    }
    QSignalSpy spy(m_tcp, &QTcpSocket::disconnected);
    return spy.wait(timeoutMs) || !isConnected();
}

bool ChatClient::login(const QString &nick)
{
    send({{QStringLiteral("type"), QStringLiteral("hello")}, {QStringLiteral("nick"), nick}});
    const QJsonObject reply = next();
    return reply.value(QLatin1String("type")).toString() == QLatin1String("welcome");
}

bool ChatClient::loginToAccount(const QString &nick, const QString &account, const QString &password,
                                bool registering)
{
    QJsonObject hello{{QStringLiteral("nick"), nick}};
    if (!registering) {
        hello.insert(QStringLiteral("login"),
                     QJsonObject{{QStringLiteral("account"), account}, {QStringLiteral("password"), password}});
    }
    if (outcome(ask(QStringLiteral("hello"), hello, QStringLiteral("welcome"))) != QLatin1String("welcome"))
        return false;
    return !registering
           || outcome(ask(QStringLiteral("register"), {{QStringLiteral("password"), password}},
                          QStringLiteral("registered")))
                      == QLatin1String("registered");
}

bool ChatClient::quit()
{
    send({{QStringLiteral("type"), QStringLiteral("quit")}});
    return waitForDisconnected();
}

QJsonObject ChatClient::join(const QString &room)
{
    send({{QStringLiteral("type"), QStringLiteral("join")}, {QStringLiteral("room"), room}});
    return waitFor(QStringLiteral("joined"));
}

bool ChatClient::enter(quint16 port, const QString &nick, const QStringList &rooms)
{
    if (!connectTo(port) || !login(nick))
        return false;
    for (const QString &room : rooms) {
        if (join(room).isEmpty())
            return false;
    }
    return true;
}
