#pragma once

#include "metrics.h"
#include "websocketframer.h"

#include <QElapsedTimer>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <functional>
#include <memory>
#include <vector>

class QTcpSocket;

// The live feed behind the /status page: once a second, while anyone
// watches, a JSON snapshot of the server (connections by transport, rooms
// and their members, messages per second, the last protocol errors) goes to
// every subscribed WebSocket. Subscribers only listen; what they send is
// read for close and ping frames and otherwise ignored.
class StatusFeed final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StatusFeed)

public:
    struct Figures
    {
        ServerMetrics::Gauges gauges;
        QList<QPair<QString, int>> rooms; // largest first
        QList<RecentError> errors;        // oldest first
        quint64 messagesStored = 0;       // since start-up
        quint64 messagesDelivered = 0;
    };
    using Source = std::function<Figures()>;

    static constexpr int MaxSubscribers = 32;
    static constexpr int IntervalMs = 1000;

    explicit StatusFeed(Source source, QObject *parent = nullptr);
    ~StatusFeed() override;

    // `socket` has had its 101 answer; `alreadyRead` is what followed the
    // request. Returns false (and leaves the socket alone) when full.
    bool subscribe(QTcpSocket *socket, const QByteArray &alreadyRead);
    int subscriberCount() const { return int(m_subscribers.size()); }

    // One snapshot as the feed sends it; rates are per second since the
    // previous call.
    QByteArray snapshot();

private:
    struct Subscriber
    {
        QPointer<QTcpSocket> socket;
        WebSocketFramer framer{4096};
    };
    void publish();
    void read(Subscriber *subscriber);
    void drop(Subscriber *subscriber);

    Source m_source;
    QTimer m_timer;
    QElapsedTimer m_sinceLast;
    quint64 m_lastStored = 0;
    quint64 m_lastDelivered = 0;
    std::vector<std::unique_ptr<Subscriber>> m_subscribers;
};
