#include "clusterbus.h"

#include "logging.h"

#include <QSocketNotifier>

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

// hiredis drives its sockets through hooks: these put them on the Qt event
// loop. (hiredis ships adapters/qt.h for this, but written for Qt 4/5: its
// string-based connections miss Qt 6's activated() signal, and its
// destructor writes into a context that hiredis may have freed already.)
// The hooks' state lives in the context and goes with it: hiredis calls
// cleanup exactly once, as it frees the context.
class RedisQtAdapter
{
public:
    static void attach(redisAsyncContext *context)
    {
        auto *adapter = new RedisQtAdapter;
        adapter->m_context = context;
        context->ev.data = adapter;
        context->ev.addRead = [](void *self) { static_cast<RedisQtAdapter *>(self)->watch(QSocketNotifier::Read); };
        context->ev.delRead = [](void *self) { static_cast<RedisQtAdapter *>(self)->unwatch(QSocketNotifier::Read); };
        context->ev.addWrite = [](void *self) { static_cast<RedisQtAdapter *>(self)->watch(QSocketNotifier::Write); };
        context->ev.delWrite = [](void *self) { static_cast<RedisQtAdapter *>(self)->unwatch(QSocketNotifier::Write); };
        context->ev.cleanup = [](void *self) { delete static_cast<RedisQtAdapter *>(self); };
    }

    ~RedisQtAdapter()
    {
        unwatch(QSocketNotifier::Read);
        unwatch(QSocketNotifier::Write);
    }

private:
    QSocketNotifier *&notifier(QSocketNotifier::Type type) { return type == QSocketNotifier::Read ? m_read : m_write; }

    void watch(QSocketNotifier::Type type)
    {
        QSocketNotifier *&slot = notifier(type);
        if (slot)
            return;
        slot = new QSocketNotifier(m_context->c.fd, type);
        redisAsyncContext *context = m_context;
        QObject::connect(slot, &QSocketNotifier::activated, slot, [context, type] {
            if (type == QSocketNotifier::Read)
                redisAsyncHandleRead(context);
            else
                redisAsyncHandleWrite(context);
        });
    }

    void unwatch(QSocketNotifier::Type type)
    {
        QSocketNotifier *&slot = notifier(type);
        if (!slot)
            return;
        // This may run inside the notifier's own signal: it goes once that
        // has returned, and fires no more meanwhile.
        slot->setEnabled(false);
        slot->disconnect();
        slot->deleteLater();
        slot = nullptr;
    }

    redisAsyncContext *m_context = nullptr;
    QSocketNotifier *m_read = nullptr;
    QSocketNotifier *m_write = nullptr;
};

namespace {

constexpr int ReconnectMs = 500;

// Renews a lease its owner holds, or takes it back if Redis forgot it;
// 0 if someone else holds it now.
const char RenewScript[] = "local held = redis.call('GET', KEYS[1]) "
                           "if held == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end "
                           "if not held then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end "
                           "return 0";
const char ReleaseScript[] = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', unpack(KEYS)) end "
                             "return 0";

QVariant toVariant(const redisReply *reply)
{
    switch (reply->type) {
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
        return QByteArray(reply->str, int(reply->len));
    case REDIS_REPLY_INTEGER:
        return qint64(reply->integer);
    case REDIS_REPLY_ARRAY: {
        QVariantList list;
        for (size_t i = 0; i < reply->elements; ++i)
            list.append(toVariant(reply->element[i]));
        return list;
    }
    default:
        return QVariant();
    }
}

void sendArgv(redisAsyncContext *context, redisCallbackFn *callback, void *data, const QList<QByteArray> &arguments)
{
    std::vector<const char *> argv;
    std::vector<size_t> lengths;
    for (const QByteArray &argument : arguments) {
        argv.push_back(argument.constData());
        lengths.push_back(size_t(argument.size()));
    }
    redisAsyncCommandArgv(context, callback, data, int(argv.size()), argv.data(), lengths.data());
}

} // namespace

ClusterBus::ClusterBus(RedisAddress address, QObject *parent)
    : QObject(parent)
    , m_address(std::move(address))
{
    m_commands.bus = this;
    m_subscriber.bus = this;
    m_reconnect.setSingleShot(true);
    m_reconnect.setInterval(ReconnectMs);
    connect(&m_reconnect, &QTimer::timeout, this, [this] {
        for (Link *link : {&m_commands, &m_subscriber}) {
            if (!link->context && !connectLink(*link))
                scheduleReconnect();
        }
    });
}

ClusterBus::~ClusterBus()
{
    for (Link *link : {&m_commands, &m_subscriber}) {
        if (link->context) {
            link->context->data = nullptr; // no callbacks into this object any more
            redisAsyncFree(link->context);
            link->context = nullptr;
        }
    }
}

void ClusterBus::start()
{
    for (Link *link : {&m_commands, &m_subscriber}) {
        if (!link->context && !connectLink(*link))
            scheduleReconnect();
    }
}

bool ClusterBus::connectLink(Link &link)
{
    redisAsyncContext *context = m_address.socketPath.isEmpty()
                                         ? redisAsyncConnect(m_address.host.toUtf8().constData(), m_address.port)
                                         : redisAsyncConnectUnix(m_address.socketPath.toUtf8().constData());
    if (!context)
        return false;
    if (context->err) {
        qCDebug(lcCluster) << "cannot reach Redis at" << m_address.toString() << ":" << context->errstr;
        redisAsyncFree(context);
        return false;
    }
    context->data = &link;
    RedisQtAdapter::attach(context);
    redisAsyncSetConnectCallback(context, &ClusterBus::onConnect);
    redisAsyncSetDisconnectCallback(context, &ClusterBus::onDisconnect);
    link.context = context;
    return true;
}

void ClusterBus::onConnect(const redisAsyncContext *context, int status)
{
    auto *link = static_cast<Link *>(context->data);
    if (!link)
        return;
    if (status != REDIS_OK) {
        // hiredis frees the context once this returns.
        link->context = nullptr;
        link->bus->linkDown(*link);
        return;
    }
    link->bus->linkUp(*link);
}

void ClusterBus::onDisconnect(const redisAsyncContext *context, int)
{
    auto *link = static_cast<Link *>(context->data);
    if (!link)
        return;
    link->context = nullptr; // freed by hiredis after this
    link->bus->linkDown(*link);
}

void ClusterBus::linkUp(Link &link)
{
    link.up = true;
    if (&link == &m_subscriber) {
        for (const QByteArray &channel : std::as_const(m_channels))
            sendArgv(link.context, &ClusterBus::onSubscriberReply, this, {"SUBSCRIBE", channel});
    }
    updateConnected();
}

void ClusterBus::linkDown(Link &link)
{
    link.up = false;
    updateConnected();
    scheduleReconnect();
}

void ClusterBus::updateConnected()
{
    const bool connected = m_commands.up && m_subscriber.up;
    if (connected == m_connected)
        return;
    m_connected = connected;
    if (connected) {
        qCInfo(lcCluster).noquote() << (m_everConnected ? "connected to Redis again at" : "connected to Redis at")
                                    << m_address.toString();
        m_everConnected = true;
    } else {
        qCWarning(lcCluster).noquote() << "lost Redis at" << m_address.toString()
                                       << "- trying again; messages reach other servers from the database meanwhile";
    }
    emit connectedChanged(connected);
}

void ClusterBus::scheduleReconnect()
{
    if (!m_reconnect.isActive())
        m_reconnect.start();
}

void ClusterBus::onSubscriberReply(redisAsyncContext *context, void *r, void *data)
{
    auto *reply = static_cast<redisReply *>(r);
    if (!reply || !context->data || reply->type != REDIS_REPLY_ARRAY || reply->elements < 3)
        return;
    auto *bus = static_cast<ClusterBus *>(data);
    const QByteArray kind(reply->element[0]->str, int(reply->element[0]->len));
    const QByteArray channel(reply->element[1]->str, int(reply->element[1]->len));
    if (kind == "message") {
        emit bus->message(channel, QByteArray(reply->element[2]->str, int(reply->element[2]->len)));
    } else if (kind == "subscribe") {
        emit bus->subscribed(channel);
    }
}

void ClusterBus::publish(const QByteArray &channel, const QByteArray &payload)
{
    if (!m_commands.up)
        return;
    sendArgv(m_commands.context, nullptr, nullptr, {"PUBLISH", channel, payload});
}

void ClusterBus::subscribe(const QByteArray &channel)
{
    if (m_channels.contains(channel))
        return;
    m_channels.insert(channel);
    if (m_subscriber.up)
        sendArgv(m_subscriber.context, &ClusterBus::onSubscriberReply, this, {"SUBSCRIBE", channel});
}

void ClusterBus::unsubscribe(const QByteArray &channel)
{
    if (!m_channels.remove(channel))
        return;
    if (m_subscriber.up)
        sendArgv(m_subscriber.context, &ClusterBus::onSubscriberReply, this, {"UNSUBSCRIBE", channel});
}

void ClusterBus::command(std::function<void(void *)> done, const QList<QByteArray> &arguments)
{
    if (!m_commands.up) {
        done(nullptr);
        return;
    }
    sendArgv(m_commands.context, &ClusterBus::onCommandReply, new std::function<void(void *)>(std::move(done)),
             arguments);
}

void ClusterBus::onCommandReply(redisAsyncContext *context, void *reply, void *data)
{
    // Also called with no reply for what was waiting when the connection
    // went: the caller hears "unavailable". Not once the bus is being
    // destroyed (context->data cleared): its owner may be gone.
    auto *done = static_cast<std::function<void(void *)> *>(data);
    if (context->data)
        (*done)(reply);
    delete done;
}

void ClusterBus::claim(const QByteArray &key, const QByteArray &owner, int leaseMs, std::function<void(Claim)> done)
{
    command(
            [done = std::move(done)](void *r) {
                auto *reply = static_cast<redisReply *>(r);
                if (!reply || reply->type == REDIS_REPLY_ERROR)
                    done(Claim::Unavailable);
                else
                    done(reply->type == REDIS_REPLY_STATUS ? Claim::Granted : Claim::Refused);
            },
            {"SET", key, owner, "NX", "PX", QByteArray::number(leaseMs)});
}

void ClusterBus::renew(const QList<QByteArray> &keys, const QByteArray &owner, int leaseMs,
                       const std::function<void(const QByteArray &)> &lost)
{
    for (const QByteArray &key : keys) {
        command(
                [key, lost](void *r) {
                    auto *reply = static_cast<redisReply *>(r);
                    if (reply && reply->type == REDIS_REPLY_INTEGER && reply->integer == 0)
                        lost(key);
                },
                {"EVAL", RenewScript, "1", key, owner, QByteArray::number(leaseMs)});
    }
}

void ClusterBus::release(const QByteArray &key, const QByteArray &owner, const QList<QByteArray> &alsoDelete)
{
    if (m_commands.up) {
        sendArgv(m_commands.context, nullptr, nullptr,
                 QList<QByteArray>{"EVAL", ReleaseScript, QByteArray::number(1 + alsoDelete.size()), key} + alsoDelete
                         + QList<QByteArray>{owner});
    }
}

void ClusterBus::call(const QList<QByteArray> &arguments, std::function<void(const std::optional<QVariant> &)> done)
{
    if (!done) {
        if (m_commands.up)
            sendArgv(m_commands.context, nullptr, nullptr, arguments);
        return;
    }
    command(
            [done = std::move(done)](void *r) {
                auto *reply = static_cast<redisReply *>(r);
                if (!reply || reply->type == REDIS_REPLY_ERROR)
                    done(std::nullopt);
                else
                    done(toVariant(reply));
            },
            arguments);
}
