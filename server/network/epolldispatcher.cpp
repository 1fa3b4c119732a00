#include "epolldispatcher.h"

#include "connection.h"

#include <QCoreApplication>
#include <QSocketNotifier>

#include <algorithm>
#include <cstring>
#include <limits>
#include <cerrno>
#include <ctime>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <unistd.h>

namespace {

constexpr int MaxEventsPerPass = 512;
constexpr rlim_t MaxReservedSlots = 1 << 20;

void activate(QSocketNotifier *notifier)
{
    QEvent event(QEvent::SockAct);
    QCoreApplication::sendEvent(notifier, &event);
}

} // namespace

EpollEventDispatcher::EpollEventDispatcher(QObject *parent)
    : QAbstractEventDispatcher(parent)
    , m_epoll(epoll_create1(EPOLL_CLOEXEC))
    , m_wakeFd(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC))
{
    if (m_epoll < 0 || m_wakeFd < 0)
        qFatal("cannot create an epoll instance: %s", strerror(errno));
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.fd = m_wakeFd;
    epoll_ctl(m_epoll, EPOLL_CTL_ADD, m_wakeFd, &event);
    // Room for every descriptor the process may have, so that the table is
    // never copied as it grows; pages not reached yet cost no memory.
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY)
        m_slots.reserve(std::size_t(qMin<rlim_t>(limit.rlim_cur, MaxReservedSlots)));
}

EpollEventDispatcher::~EpollEventDispatcher()
{
    close(m_wakeFd);
    close(m_epoll);
}

qint64 EpollEventDispatcher::nowMs()
{
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    return qint64(now.tv_sec) * 1000 + now.tv_nsec / 1'000'000;
}

// ------------------------------------------------------------ sockets

EpollEventDispatcher *EpollEventDispatcher::ofThisThread()
{
    return qobject_cast<EpollEventDispatcher *>(QAbstractEventDispatcher::instance());
}

EpollEventDispatcher::Slot &EpollEventDispatcher::slot(int fd)
{
    if (std::size_t(fd) >= m_slots.size())
        m_slots.resize(std::size_t(fd) + 1);
    return m_slots[std::size_t(fd)];
}

EpollEventDispatcher::Slot *EpollEventDispatcher::existing(int fd)
{
    if (fd < 0 || std::size_t(fd) >= m_slots.size() || m_slots[std::size_t(fd)].isEmpty())
        return nullptr;
    return &m_slots[std::size_t(fd)];
}

EpollEventDispatcher::Notifiers *EpollEventDispatcher::notifiersOf(int fd)
{
    const auto it = m_notifiers.find(fd);
    return it == m_notifiers.end() ? nullptr : &it->second;
}

void EpollEventDispatcher::registerSocketNotifier(QSocketNotifier *notifier)
{
    const int fd = int(notifier->socket());
    Notifiers &notifiers = m_notifiers[fd];
    switch (notifier->type()) {
    case QSocketNotifier::Read: notifiers.read = notifier; break;
    case QSocketNotifier::Write: notifiers.write = notifier; break;
    case QSocketNotifier::Exception: notifiers.exception = notifier; break;
    }
    slot(fd).hasNotifiers = true;
    noteChange(fd);
}

void EpollEventDispatcher::unregisterSocketNotifier(QSocketNotifier *notifier)
{
    const int fd = int(notifier->socket());
    Notifiers *notifiers = notifiersOf(fd);
    if (!notifiers)
        return;
    if (notifiers->read == notifier)
        notifiers->read = nullptr;
    if (notifiers->write == notifier)
        notifiers->write = nullptr;
    if (notifiers->exception == notifier)
        notifiers->exception = nullptr;
    if (notifiers->isEmpty()) {
        forget(fd);
        return;
    }
    noteChange(fd);
}

void EpollEventDispatcher::watchDescriptor(int fd, DescriptorWatcher *watcher, bool read, bool write)
{
    if (fd < 0)
        return;
    if (!read && !write) {
        if (Slot *watched = existing(fd); watched && watched->watcher == watcher)
            forget(fd);
        return;
    }
    Slot &watched = slot(fd);
    watched.watcher = watcher;
    watched.watchRead = read;
    watched.watchWrite = write;
    noteChange(fd);
}

void EpollEventDispatcher::forget(int fd)
{
    // Now, not later: the descriptor is probably about to be closed, and
    // its number may come back at once for a new socket.
    Slot &forgotten = slot(fd);
    if (forgotten.registered)
        epoll_ctl(m_epoll, EPOLL_CTL_DEL, fd, nullptr);
    // Still listed in m_changed, if it was: an empty slot is passed over.
    forgotten = Slot{};
    m_notifiers.erase(fd);
}

void EpollEventDispatcher::noteChange(int fd)
{
    Slot &changed = slot(fd);
    if (!changed.changed) {
        changed.changed = true;
        m_changed.push_back(fd);
    }
}

void EpollEventDispatcher::applyChanges()
{
    for (const int fd : m_changed) {
        Slot *changed = existing(fd);
        if (!changed)
            continue;
        changed->changed = false;
        const Notifiers *notifiers = changed->hasNotifiers ? notifiersOf(fd) : nullptr;
        quint32 wanted = 0;
        if (changed->watchRead || (notifiers && notifiers->read))
            wanted |= EPOLLIN | EPOLLRDHUP;
        if (changed->watchWrite || (notifiers && notifiers->write))
            wanted |= EPOLLOUT;
        if (notifiers && notifiers->exception)
            wanted |= EPOLLPRI;
        if (wanted == changed->registered)
            continue;
        epoll_event event{};
        event.events = wanted;
        event.data.fd = fd;
        int result = epoll_ctl(m_epoll, changed->registered ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, &event);
        // A descriptor closed and reused behind our back is a new file.
        if (result != 0 && errno == ENOENT)
            result = epoll_ctl(m_epoll, EPOLL_CTL_ADD, fd, &event);
        else if (result != 0 && errno == EEXIST)
            result = epoll_ctl(m_epoll, EPOLL_CTL_MOD, fd, &event);
        changed->registered = result == 0 ? wanted : 0;
    }
    m_changed.clear();
}

int EpollEventDispatcher::dispatchSocket(int fd, quint32 events)
{
    int activated = 0;
    // A handler may change, forget or replace what is watched (and a new
    // descriptor may grow the table): look it up again each time rather
    // than keep a pointer.
    enum class Kind { Read, Write, Exception };
    auto deliver = [&](Kind kind) {
        const Slot *ready = existing(fd);
        if (!ready)
            return;
        if (ready->watcher) {
            if (kind == Kind::Read && ready->watchRead) {
                ready->watcher->descriptorReadable();
                ++activated;
            } else if (kind == Kind::Write && ready->watchWrite) {
                ready->watcher->descriptorWritable();
                ++activated;
            }
            return;
        }
        const Notifiers *notifiers = ready->hasNotifiers ? notifiersOf(fd) : nullptr;
        QSocketNotifier *notifier = !notifiers              ? nullptr
                                    : kind == Kind::Read  ? notifiers->read
                                    : kind == Kind::Write ? notifiers->write
                                                          : notifiers->exception;
        if (notifier) {
            activate(notifier);
            ++activated;
        }
    };
    const bool broken = events & (EPOLLERR | EPOLLHUP);
    if (events & (EPOLLIN | EPOLLRDHUP) || broken)
        deliver(Kind::Read);
    if (events & EPOLLOUT || broken)
        deliver(Kind::Write);
    if (events & EPOLLPRI)
        deliver(Kind::Exception);
    return activated;
}

// ------------------------------------------------------------ timers

void EpollEventDispatcher::registerTimer(int timerId, qint64 interval, Qt::TimerType timerType, QObject *object)
{
    m_timers.push_back(Timer{timerId, interval, timerType, object, nowMs() + interval});
}

bool EpollEventDispatcher::unregisterTimer(int timerId)
{
    const auto it = std::find_if(m_timers.begin(), m_timers.end(), [&](const Timer &t) { return t.id == timerId; });
    if (it == m_timers.end())
        return false;
    m_timers.erase(it);
    return true;
}

bool EpollEventDispatcher::unregisterTimers(QObject *object)
{
    const auto before = m_timers.size();
    m_timers.erase(std::remove_if(m_timers.begin(), m_timers.end(), [&](const Timer &t) { return t.object == object; }),
                   m_timers.end());
    return m_timers.size() != before;
}

QList<QAbstractEventDispatcher::TimerInfo> EpollEventDispatcher::registeredTimers(QObject *object) const
{
    QList<TimerInfo> timers;
    for (const Timer &timer : m_timers) {
        if (timer.object == object)
            timers.append(TimerInfo(timer.id, int(timer.intervalMs), timer.type));
    }
    return timers;
}

int EpollEventDispatcher::remainingTime(int timerId)
{
    for (const Timer &timer : m_timers) {
        if (timer.id == timerId)
            return int(qMax<qint64>(0, timer.deadlineMs - nowMs()));
    }
    return -1;
}

int EpollEventDispatcher::msUntilNextTimer() const
{
    if (m_timers.empty())
        return -1;
    qint64 next = std::numeric_limits<qint64>::max();
    for (const Timer &timer : m_timers) {
        if (!timer.firing)
            next = qMin(next, timer.deadlineMs);
    }
    if (next == std::numeric_limits<qint64>::max())
        return -1;
    return int(qBound(qint64(0), next - nowMs(), qint64(std::numeric_limits<int>::max())));
}

int EpollEventDispatcher::activateTimers()
{
    const qint64 now = nowMs();
    std::vector<int> due;
    for (const Timer &timer : m_timers) {
        if (!timer.firing && timer.deadlineMs <= now)
            due.push_back(timer.id);
    }
    int fired = 0;
    for (const int id : due) {
        // Timers may come and go in the handlers of the ones before.
        auto it = std::find_if(m_timers.begin(), m_timers.end(), [&](const Timer &t) { return t.id == id; });
        if (it == m_timers.end() || it->firing)
            continue;
        it->deadlineMs = qMax(it->deadlineMs + it->intervalMs, now + (it->intervalMs > 0 ? 1 : 0));
        it->firing = true;
        QObject *object = it->object;
        QTimerEvent event(id);
        QCoreApplication::sendEvent(object, &event);
        ++fired;
        it = std::find_if(m_timers.begin(), m_timers.end(), [&](const Timer &t) { return t.id == id; });
        if (it != m_timers.end())
            it->firing = false;
    }
    return fired;
}

// ------------------------------------------------------------ the loop

void EpollEventDispatcher::wakeUp()
{
    const quint64 one = 1;
    [[maybe_unused]] const ssize_t written = ::write(m_wakeFd, &one, sizeof one);
}

void EpollEventDispatcher::interrupt()
{
    m_interrupted = true;
    wakeUp();
}

bool EpollEventDispatcher::processEvents(QEventLoop::ProcessEventsFlags flags)
{
    m_interrupted = false;
    emit awake();
    QCoreApplication::sendPostedEvents();

    const bool wait = (flags & QEventLoop::WaitForMoreEvents) && !m_interrupted;
    int timeout = 0;
    if (wait) {
        timeout = msUntilNextTimer();
        emit aboutToBlock();
    }
    applyChanges();
    epoll_event events[MaxEventsPerPass];
    int ready;
    do {
        ready = epoll_wait(m_epoll, events, MaxEventsPerPass, timeout);
    } while (ready < 0 && errno == EINTR);
    if (wait)
        emit awake();

    int handled = 0;
    for (int i = 0; i < ready; ++i) {
        const int fd = events[i].data.fd;
        if (fd == m_wakeFd) {
            quint64 count = 0;
            [[maybe_unused]] const ssize_t got = ::read(m_wakeFd, &count, sizeof count);
            continue;
        }
        if (!(flags & QEventLoop::ExcludeSocketNotifiers))
            handled += dispatchSocket(fd, events[i].events);
    }
    if (!(flags & QEventLoop::X11ExcludeTimers))
        handled += activateTimers();
    // What this pass's timers gave the connections (a commit's deliveries)
    // goes out now, as the output of a read does at the read's end: before
    // the next wait, and before the next pass's reads.
    Connection::flushAll();
    return handled > 0;
}
