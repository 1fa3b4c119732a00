#pragma once

#include <QAbstractEventDispatcher>

#include <atomic>
#include <unordered_map>
#include <vector>

// An event dispatcher on Linux epoll for the server's main thread.
//
// Qt's own dispatchers (glib's, and the plain Unix one) rebuild and poll the
// whole set of socket descriptors on every pass of the event loop: with
// thousands of connections, most of the server's time went there (see
// docs/performance.md). epoll reports only the descriptors that are ready,
// so a pass costs what it has to do, not how many clients are connected.
//
// It implements what QAbstractEventDispatcher asks: socket notifiers
// (level-triggered, as Qt expects), timers, posted events and wake-ups.
// Client connections skip the notifiers: they are watched directly
// (watchDescriptor(), through SocketWatch), so that an idle one holds no
// QSocketNotifier, no signal connection and no event per wake-up.

// What the dispatcher calls for a descriptor watched directly.
class DescriptorWatcher
{
public:
    virtual void descriptorReadable() = 0;
    virtual void descriptorWritable() = 0;

protected:
    ~DescriptorWatcher() = default;
};

class EpollEventDispatcher final : public QAbstractEventDispatcher
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EpollEventDispatcher)

public:
    explicit EpollEventDispatcher(QObject *parent = nullptr);
    ~EpollEventDispatcher() override;

    bool processEvents(QEventLoop::ProcessEventsFlags flags) override;

    void registerSocketNotifier(QSocketNotifier *notifier) override;
    void unregisterSocketNotifier(QSocketNotifier *notifier) override;

    void registerTimer(int timerId, qint64 interval, Qt::TimerType timerType, QObject *object) override;
    bool unregisterTimer(int timerId) override;
    bool unregisterTimers(QObject *object) override;
    QList<TimerInfo> registeredTimers(QObject *object) const override;
    int remainingTime(int timerId) override;

    void wakeUp() override;
    void interrupt() override;

    // The dispatcher of the calling thread if it is this kind, else null.
    static EpollEventDispatcher *ofThisThread();
    // Watches `fd` for `watcher` (level-triggered, like a notifier), or
    // changes what it is watched for; with neither, forgets it at once
    // (before the descriptor is closed). Never mixed with notifiers on the
    // same descriptor.
    void watchDescriptor(int fd, DescriptorWatcher *watcher, bool read, bool write);

private:
    // Qt's notifiers on a descriptor (listening sockets, TLS sockets, the
    // signal pipe): few.
    struct Notifiers
    {
        QSocketNotifier *read = nullptr;
        QSocketNotifier *write = nullptr;
        QSocketNotifier *exception = nullptr;

        bool isEmpty() const { return !read && !write && !exception; }
    };
    // One per descriptor number, indexed by it: descriptors are small and
    // dense, and 16 bytes per slot cost less than a hash node.
    struct Slot
    {
        DescriptorWatcher *watcher = nullptr;
        quint32 registered = 0; // the interest the kernel has now
        bool changed = false;   // listed in m_changed
        bool watchRead = false;
        bool watchWrite = false;
        bool hasNotifiers = false; // in m_notifiers

        bool isEmpty() const { return !watcher && !hasNotifiers; }
    };
    struct Timer
    {
        int id;
        qint64 intervalMs;
        Qt::TimerType type;
        QObject *object;
        qint64 deadlineMs;
        bool firing = false;
    };

    Slot &slot(int fd);
    Slot *existing(int fd);
    Notifiers *notifiersOf(int fd);
    void noteChange(int fd);
    void forget(int fd);
    void applyChanges();
    int msUntilNextTimer() const;
    int activateTimers();
    int dispatchSocket(int fd, quint32 events);
    static qint64 nowMs();

    int m_epoll = -1;
    int m_wakeFd = -1;
    std::vector<Slot> m_slots;
    std::unordered_map<int, Notifiers> m_notifiers;
    // Descriptors whose notifiers changed since the last epoll_wait. Qt turns
    // a socket's notifiers off and on again around every read and write;
    // telling the kernel only the net change before waiting saves most of
    // those epoll_ctl calls.
    std::vector<int> m_changed;
    std::vector<Timer> m_timers;
    std::atomic<bool> m_interrupted{false};
};
