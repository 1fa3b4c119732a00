#include "statusfeed.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpSocket>

namespace {

// A watcher that does not read falls behind by at most this much; then it
// is dropped rather than buffered for.
constexpr qint64 MaxUnsentBytes = 256 * 1024;

} // namespace

StatusFeed::StatusFeed(Source source, QObject *parent)
    : QObject(parent)
    , m_source(std::move(source))
{
    m_timer.setInterval(IntervalMs);
    connect(&m_timer, &QTimer::timeout, this, &StatusFeed::publish);
    m_sinceLast.start();
}

StatusFeed::~StatusFeed()
{
    for (const auto &subscriber : m_subscribers) {
        if (subscriber->socket)
            subscriber->socket->disconnect(this);
    }
}

bool StatusFeed::subscribe(QTcpSocket *socket, const QByteArray &alreadyRead)
{
    if (subscriberCount() >= MaxSubscribers)
        return false;
    auto owned = std::make_unique<Subscriber>();
    Subscriber *subscriber = owned.get();
    subscriber->socket = socket;
    m_subscribers.push_back(std::move(owned));
    connect(socket, &QTcpSocket::readyRead, this, [this, subscriber] { read(subscriber); });
    connect(socket, &QTcpSocket::disconnected, this, [this, subscriber] { drop(subscriber); });
    subscriber->framer.append(alreadyRead);
    // A new watcher sees figures at once, not after a second of nothing.
    QByteArray frame;
    WebSocketFramer::appendFrame(frame, WebSocketFramer::Opcode::Text, snapshot());
    socket->write(frame);
    if (!m_timer.isActive())
        m_timer.start();
    read(subscriber);
    return true;
}

QByteArray StatusFeed::snapshot()
{
    const Figures figures = m_source();
    const double seconds = qMax(0.001, double(m_sinceLast.restart()) / 1000.0);
    const auto rate = [seconds](quint64 now, quint64 &last) {
        const double perSecond = now >= last ? double(now - last) / seconds : 0.0;
        last = now;
        return qRound(perSecond * 10.0) / 10.0;
    };

    QJsonObject connections;
    for (const char *transport : {"tcp", "tls", "ws", "wss"})
        connections.insert(QLatin1String(transport),
                           figures.gauges.connectionsByTransport.value(QLatin1String(transport)));
    QJsonArray rooms;
    for (const auto &[name, members] : figures.rooms)
        rooms.append(QJsonObject{{QStringLiteral("name"), name}, {QStringLiteral("members"), members}});
    QJsonArray errors;
    for (const RecentError &error : figures.errors) {
        errors.append(QJsonObject{
                {QStringLiteral("time"), QDateTime::fromMSecsSinceEpoch(error.atMs, Qt::UTC).toString(Qt::ISODateWithMs)},
                {QStringLiteral("code"), error.code},
                {QStringLiteral("message"), error.message},
                {QStringLiteral("client"), error.client}});
    }
    const QJsonObject status{
            {QStringLiteral("type"), QStringLiteral("status")},
            {QStringLiteral("time"), QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs)},
            {QStringLiteral("connections"), connections},
            {QStringLiteral("users"), figures.gauges.identifiedUsers},
            {QStringLiteral("roomCount"), figures.gauges.rooms},
            {QStringLiteral("rooms"), rooms},
            {QStringLiteral("messagesStored"), qint64(figures.messagesStored)},
            {QStringLiteral("messagesPerSecond"), rate(figures.messagesStored, m_lastStored)},
            {QStringLiteral("deliveriesPerSecond"), rate(figures.messagesDelivered, m_lastDelivered)},
            {QStringLiteral("errors"), errors},
    };
    return QJsonDocument(status).toJson(QJsonDocument::Compact);
}

void StatusFeed::publish()
{
    if (m_subscribers.empty()) {
        m_timer.stop();
        return;
    }
    QByteArray frame;
    WebSocketFramer::appendFrame(frame, WebSocketFramer::Opcode::Text, snapshot());
    QList<QPointer<QTcpSocket>> behind;
    for (const auto &subscriber : m_subscribers) {
        QTcpSocket *socket = subscriber->socket;
        if (!socket)
            continue;
        if (socket->bytesToWrite() > MaxUnsentBytes)
            behind.append(socket);
        else
            socket->write(frame);
    }
    // Aborting says disconnected() at once, which changes the list.
    for (const QPointer<QTcpSocket> &socket : std::as_const(behind)) {
        if (socket)
            socket->abort();
    }
}

void StatusFeed::read(Subscriber *subscriber)
{
    QTcpSocket *socket = subscriber->socket;
    if (!socket)
        return;
    subscriber->framer.append(socket->readAll());
    QByteArray payload;
    for (;;) {
        switch (subscriber->framer.next(&payload)) {
        case WebSocketFramer::Status::NeedMore:
            return;
        case WebSocketFramer::Status::Text:
        case WebSocketFramer::Status::Binary:
            continue; // a watcher has nothing to say
        case WebSocketFramer::Status::Ping: {
            // Pongs count against what the watcher has not read: pings
            // from one that never reads cannot grow the server.
            QByteArray pong;
            WebSocketFramer::appendFrame(pong, WebSocketFramer::Opcode::Pong, payload);
            if (socket->bytesToWrite() + pong.size() > MaxUnsentBytes) {
                socket->abort(); // drops the subscriber: not to be touched again
                return;
            }
            socket->write(pong);
            continue;
        }
        case WebSocketFramer::Status::Close:
        case WebSocketFramer::Status::TooLarge:
        case WebSocketFramer::Status::Failed: {
            QByteArray close;
            WebSocketFramer::appendClose(close, subscriber->framer.closeCode() == WebSocketFramer::CloseNoStatus
                                                        ? quint16(WebSocketFramer::CloseNormal)
                                                        : subscriber->framer.closeCode());
            socket->write(close);
            socket->disconnectFromHost();
            return;
        }
        }
    }
}

void StatusFeed::drop(Subscriber *subscriber)
{
    for (auto it = m_subscribers.begin(); it != m_subscribers.end(); ++it) {
        if (it->get() == subscriber) {
            if (subscriber->socket)
                subscriber->socket->disconnect(this);
            m_subscribers.erase(it);
            return;
        }
    }
}
