#pragma once

#include "codec.h"

#include <QHash>
#include <QJsonValue>

#include <functional>

// Numbers the requests a client sends and remembers, by number, what each
// was for, until the answer with that id comes back (or the connection goes
// and no answer will). `Context` is whatever the caller needs to route the
// answer; a default Context stands for "nothing pending".
template <typename Context>
class RequestTracker
{
public:
    using Sink = std::function<void(const QByteArray &frame)>;

    explicit RequestTracker(Sink sink)
        : m_sink(std::move(sink))
    {
    }

    // Sends `message` with a new id and returns the id.
    template <typename Message>
    qint64 send(const Message &message, const Context &context = {})
    {
        const qint64 id = m_nextId++;
        m_pending.insert(id, context);
        m_sink(Confab::Protocol::encode(message, QJsonValue(id)));
        return id;
    }

    // What the request with this id (a reply's) was for; forgets it.
    Context take(const QJsonValue &id)
    {
        return id.isDouble() ? m_pending.take(qint64(id.toDouble())) : Context{};
    }
    // The connection went: no answer will come.
    void clear() { m_pending.clear(); }

private:
    Sink m_sink;
    QHash<qint64, Context> m_pending;
    qint64 m_nextId = 1;
};
