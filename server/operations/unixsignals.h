#pragma once

#include <QObject>

class QSocketNotifier;

// Turns SIGINT and SIGTERM (stop) and SIGHUP (reload) into Qt signals, delivered from the event loop
// (a signal handler may do almost nothing itself: it writes one byte to a
// socket pair that the event loop watches).
class UnixSignals final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UnixSignals)

public:
    explicit UnixSignals(QObject *parent = nullptr);
    ~UnixSignals() override;

signals:
    void terminationRequested(const QString &signalName);
    void reloadRequested();

private:
    void readSignal();

    QSocketNotifier *m_notifier = nullptr;
};
