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
    m_waiting.push_back({std::move(job), m_nextArrival++});
    startNext();
    return Admission::Queued;
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
        const auto next = std::min_element(m_waiting.begin(), m_waiting.end(), [](const Waiting &a, const Waiting &b) {
            return a.job.priority != b.job.priority ? a.job.priority < b.job.priority : a.arrival < b.arrival;
        });
        // `done` stays on this thread: whatever it holds is never destroyed
        // on the hashing thread.
        auto job = std::make_shared<Job>(std::move(next->job));
        m_waiting.erase(next);
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
