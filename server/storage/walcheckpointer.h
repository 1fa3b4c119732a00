#pragma once

#include <QObject>
#include <QString>
#include <QThread>

#include <atomic>

class QTimer;

// Copies an SQLite database's write-ahead log back into the database file on
// a thread of its own, so that the chat never waits for it.
//
// Left to itself, SQLite checkpoints inside the commit that fills the log
// past a threshold: under load, every few dozen milliseconds one pass of the
// event loop stalled for 5-10 ms while pages were copied and synced, and the
// messages of that pass and the next waited with it. Here the main
// connection turns automatic checkpoints off and reports each commit; a
// checkpoint runs on this thread's own connection at most every
// CheckpointIntervalMs while there are commits, without blocking the writer.
//
// A log only starts again from its beginning when a write transaction begins
// while every frame of it is already in the database file — which a busy
// writer rarely sees if someone else checkpoints. So once the log is long,
// the thread asks the writer to finish the job itself right after one of its
// checkpoints, when the rest is only a few pages (SqlStore::maintain()).
class WalCheckpointer final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WalCheckpointer)

public:
    static constexpr int CheckpointIntervalMs = 50;
    // Past this many frames in the log (about 16 MiB of 4 KiB pages), the
    // writer is asked to let the log start again.
    static constexpr qint64 RestartAfterFrames = 4096;

    explicit WalCheckpointer(const QString &databasePath);
    ~WalCheckpointer() override;

    // False if the thread could not open the database: then nobody
    // checkpoints, and the writer must go back to SQLite's own checkpoints.
    bool isWorking() const { return m_working; }

    // From the writer's thread, after each commit. Cheap: at most one
    // request is on its way to the thread at any time.
    void committed();
    // True once the thread has asked the writer to checkpoint the rest of
    // the log itself; the writer calls restartDone() when it has.
    bool restartWanted() const { return m_restartWanted.load(std::memory_order_relaxed); }
    void restartDone() { m_restartWanted.store(false, std::memory_order_relaxed); }

private:
    // On the thread.
    void open();
    void scheduleCheckpoint();
    void checkpoint();
    void close();

    const QString m_databasePath;
    const QString m_connectionName;
    QThread m_thread;
    QTimer *m_timer = nullptr; // lives on the thread
    bool m_working = false;    // set on the thread before the constructor returns
    std::atomic<bool> m_requested{false};
    std::atomic<bool> m_restartWanted{false};
};
