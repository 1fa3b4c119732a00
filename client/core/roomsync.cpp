#include "roomsync.h"

using Confab::Protocol::ChatMessage;

bool RoomSync::take(qint64 seq)
{
    if (seq > 0 && seq <= m_lastSeq)
        return false;
    m_lastSeq = qMax(m_lastSeq, seq);
    return true;
}

QList<ChatMessage> RoomSync::fresh(const QList<ChatMessage> &messages)
{
    QList<ChatMessage> out;
    for (const ChatMessage &message : messages) {
        if (take(message.seq))
            out.append(message);
    }
    return out;
}

RoomSync::Steps RoomSync::joined(const QList<ChatMessage> &history, std::optional<qint64> rev)
{
    Steps steps;
    const qint64 last = m_lastSeq;
    if (last == 0) {
        steps.show = fresh(history);
        changeHeard(rev.value_or(0));
        return steps;
    }
    // Messages already shown may have changed while away: as they are now.
    for (const ChatMessage &message : history) {
        if (message.seq <= last)
            steps.refresh.append(message);
    }
    // A revision read off `joined` may skip changes not heard of yet: ask
    // for them from the last one heard, in order.
    if (rev.value_or(0) > m_lastRev)
        steps.changesAfter = m_lastRev;
    const bool covered = history.isEmpty() || history.first().seq <= last + 1;
    if (covered) {
        steps.show = fresh(history);
    } else {
        m_catchingUp = true;
        steps.historyAfter = last;
    }
    return steps;
}

RoomSync::Steps RoomSync::live(const ChatMessage &message)
{
    Steps steps;
    if (m_catchingUp)
        m_heldBack.append(message);
    else
        steps.show = fresh({message});
    return steps;
}

RoomSync::Steps RoomSync::caughtUp(const QList<ChatMessage> &page, int pageSize)
{
    Steps steps;
    steps.show = fresh(page);
    if (page.size() >= pageSize) {
        steps.historyAfter = m_lastSeq;
        return steps;
    }
    m_catchingUp = false;
    steps.show += fresh(std::exchange(m_heldBack, {}));
    return steps;
}

RoomSync::Steps RoomSync::changes(const QList<ChatMessage> &page, int pageSize)
{
    Steps steps;
    steps.refresh = page;
    for (const ChatMessage &message : page)
        changeHeard(message.rev.value_or(0));
    if (page.size() >= pageSize)
        steps.changesAfter = m_lastRev;
    return steps;
}

void RoomSync::changeHeard(qint64 rev)
{
    m_lastRev = qMax(m_lastRev, rev);
}

void RoomSync::disconnected()
{
    m_catchingUp = false;
    m_heldBack.clear();
}
