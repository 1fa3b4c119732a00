#include "hashqueue.h"

#include <algorithm>
#include <memory>

HashQueue::HashQueue(QObject *parent)
    : QObject(parent)
{
    m_thread.setMaxThreadCount(1);
}

HashQueue::~HashQueue()
{
    // No hash may finish and call back into an object that is gone (its
    // answer is then dropped with the queued call).
    m_thread.waitForDone();
}

HashQueue::Admission HashQueue::submit(Job job)
{
    if (int(m_waiting.size()) >= MaxWaiting)
        return Admission::Full;
    int &mine = m_perAddress[job.address];
    if (mine >= MaxPerAddress)
        return Admission::AddressBusy;
    ++mine;
    ++m_perNetwork[job.network];
    m_waiting.push_back({std::move(job), m_nextArrival++});
    startNext();
    return Admission::Queued;
}

QString HashQueue::networkOf(const QHostAddress &address)
{
    bool isV4 = false;
    const quint32 v4 = address.toIPv4Address(&isV4);
    if (isV4)
        return QHostAddress(v4 & 0xffffff00u).toString() + QLatin1String("/24");
    Q_IPV6ADDR v6 = address.toIPv6Address();
    for (int i = 6; i < 16; ++i)
        v6[i] = 0;
    return QHostAddress(v6).toString() + QLatin1String("/48");
}

void HashQueue::release(const QString &address)
{
    const auto it = m_perAddress.find(address);
    if (it != m_perAddress.end() && --it.value() <= 0)
        m_perAddress.erase(it);
}

void HashQueue::startNext()
{
    while (!m_running && !m_waiting.empty()) {
        const auto next = std::min_element(m_waiting.begin(), m_waiting.end(), [this](const Waiting &a, const Waiting &b) {
            if (a.job.priority != b.job.priority)
                return a.job.priority < b.job.priority;
            const int crowdA = m_perNetwork.value(a.job.network);
            const int crowdB = m_perNetwork.value(b.job.network);
            return crowdA != crowdB ? crowdA < crowdB : a.arrival < b.arrival;
        });
        // `done` stays on this thread: whatever it holds is never destroyed
        // on the hashing thread.
        auto job = std::make_shared<Job>(std::move(next->job));
        m_waiting.erase(next);
        if (const auto network = m_perNetwork.find(job->network); network != m_perNetwork.end() && --network.value() <= 0)
            m_perNetwork.erase(network);
        if (job->wanted && !job->wanted()) {
            release(job->address);
            if (job->done)
                job->done(false);
            continue;
        }
        m_running = true;
        m_thread.start([this, work = std::move(job->work), job]() mutable {
            work();
            QMetaObject::invokeMethod(
                    this,
                    [this, job = std::move(job)] {
                        m_running = false;
                        release(job->address);
                        if (job->done)
                            job->done(true);
                        startNext();
                    },
                    Qt::QueuedConnection);
        });
    }
}
