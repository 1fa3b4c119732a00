#pragma once

#include <QHash>
#include <QHostAddress>
#include <QObject>
#include <QString>
#include <QThreadPool>

#include <functional>
#include <list>

// Password hashes wait here for the one hashing thread: a hash takes tens
// of milliseconds on purpose, so however many arrive at once one core stays
// free for the chat, and the queue decides who goes first. A job's
// `priority` (lower first; the chat service gives honest-looking attempts
// the lowest, see Accounts::hashPriority()) orders the queue; among
// equals, a job from a network with fewer jobs waiting goes first (so a
// hundred addresses of one network take turns with everyone else rather
// than in front of them), then arrival. Each address may have a few jobs waiting and the queue a bounded
// number in all: beyond that, submit() refuses and the caller says
// rate_limited. So a storm of guesses waits behind the next honest login
// instead of in front of it, and never grows the server without bound.
class HashQueue final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HashQueue)

public:
    static constexpr int MaxWaiting = 256;
    static constexpr int MaxPerAddress = 8;

    struct Job
    {
        QString address; // whose share it uses
        QString network; // the address's network (networkOf())
        int priority = 0;
        // On the hashing thread.
        std::function<void()> work;
        // On this object's thread, once `work` has run, or with `ran`
        // false if it was dropped unrun because it was no longer wanted.
        std::function<void(bool ran)> done;
        // Asked on this object's thread before the job starts.
        std::function<bool()> wanted;
    };
    enum class Admission { Queued, AddressBusy, Full };

    explicit HashQueue(QObject *parent = nullptr);
    ~HashQueue() override;

    Admission submit(Job job);
    // An address's network for the queue's order: IPv4 /24, IPv6 /48.
    static QString networkOf(const QHostAddress &address);
    int waiting() const { return int(m_waiting.size()); }
    bool isRunning() const { return m_running; }

private:
    void startNext();
    void release(const QString &address);

    struct Waiting
    {
        Job job;
        quint64 arrival;
    };
    std::list<Waiting> m_waiting;
    QHash<QString, int> m_perAddress; // waiting or running
    QHash<QString, int> m_perNetwork; // waiting
    quint64 m_nextArrival = 0;
    bool m_running = false;
    QThreadPool m_thread;
};
