#pragma once

#include "redisaddress.h"

#include <QByteArray>
#include <QHash>
#include <QObject>
#include <QSet>
#include <QTimer>
#include <QVariant>

#include <functional>
#include <optional>

struct redisAsyncContext;
class RedisQtAdapter;

// How the servers of a cluster reach one another: Redis publish/subscribe
// for what happens, and keys with an expiry for leases (a nick held by one
// server). Two connections, as Redis wants: one only subscribes, the other
// sends commands. Both are driven by the event loop (hiredis' Qt adapter)
// and come back by themselves after Redis restarts or the network drops;
// connectedChanged(true) tells the owner to look for what it missed.
class ClusterBus final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ClusterBus)

public:
    ClusterBus(RedisAddress address, QObject *parent = nullptr);
    ~ClusterBus() override;

    void start();
    bool isConnected() const { return m_connected; }

    // Lost silently while disconnected: receivers fill gaps from the
    // database.
    void publish(const QByteArray &channel, const QByteArray &payload);
    // Kept across reconnections; subscribed(channel) once Redis confirms.
    void subscribe(const QByteArray &channel);
    void unsubscribe(const QByteArray &channel);

    enum class Claim { Granted, Refused, Unavailable };
    // SET key owner NX PX leaseMs: granted only if nobody holds the key.
    void claim(const QByteArray &key, const QByteArray &owner, int leaseMs, std::function<void(Claim)> done);
    // Extends the leases `owner` holds (and takes back any that Redis
    // forgot, e.g. after a restart). `lost` is told each key someone else
    // holds.
    void renew(const QList<QByteArray> &keys, const QByteArray &owner, int leaseMs,
               const std::function<void(const QByteArray &key)> &lost);
    // Deletes the key, and `alsoDelete`, if `owner` still holds the key.
    void release(const QByteArray &key, const QByteArray &owner, const QList<QByteArray> &alsoDelete = {});

    // Any command; `done` gets the reply as a QVariant (a QByteArray, a
    // qint64, a QVariantList, or null for nil), or nullopt when Redis
    // answered with an error or could not be reached. Without `done`, the
    // reply is not waited for.
    void call(const QList<QByteArray> &arguments, std::function<void(const std::optional<QVariant> &)> done = {});

signals:
    void message(const QByteArray &channel, const QByteArray &payload);
    void subscribed(const QByteArray &channel);
    void connectedChanged(bool connected);

private:
    struct Link;
    bool connectLink(Link &link);
    void linkUp(Link &link);
    void linkDown(Link &link);
    void updateConnected();
    void scheduleReconnect();
    static void onConnect(const redisAsyncContext *context, int status);
    static void onDisconnect(const redisAsyncContext *context, int status);
    static void onSubscriberReply(redisAsyncContext *context, void *reply, void *data);
    void command(std::function<void(void *reply)> done, const QList<QByteArray> &arguments);
    static void onCommandReply(redisAsyncContext *context, void *reply, void *data);

    RedisAddress m_address;
    struct Link
    {
        ClusterBus *bus = nullptr;
        redisAsyncContext *context = nullptr;
        RedisQtAdapter *adapter = nullptr;
        bool up = false;
    };
    Link m_commands;
    Link m_subscriber;
    QSet<QByteArray> m_channels;
    QTimer m_reconnect;
    bool m_connected = false;
    bool m_everConnected = false;
};
