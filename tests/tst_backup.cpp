// docs/server.md, "Backups and restore", for PostgreSQL: pg_dump while a
// client writes, pg_restore into an empty database, a server on it. (The
// SQLite backup is the reliability case backup_while_writing.)

#include "backingservices.h"
#include "chatclient.h"
#include "serverprocess.h"

#include <QJsonArray>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

constexpr int Messages = 600;

} // namespace

class TestBackup : public QObject
{
    Q_OBJECT

private slots:
    void postgresDumpWhileWriting();

private:
    QTemporaryDir m_dir;
};

void TestBackup::postgresDumpWhileWriting()
{
    PostgresProcess postgres;
    QVERIFY2(postgres.start(), qPrintable(postgres.error()));
    QVERIFY2(postgres.createDatabase(u"live"_s), qPrintable(postgres.error()));
    ServerProcess server;
    server.setDatabasePath(postgres.urlOf(u"live"_s));
    QVERIFY2(server.start({u"--flood-burst"_s, u"0"_s}), qPrintable(server.error()));

    ChatClient writer;
    QVERIFY(writer.connectTo(server.tcpPort()) && writer.login(u"writer"_s));
    QVERIFY(!writer.join(u"backup"_s).isEmpty());
    for (int n = 1; n <= Messages; ++n)
        writer.send({{u"type"_s, u"say"_s}, {u"room"_s, u"backup"_s}, {u"text"_s, u"line %1"_s.arg(n)}});

    // A third of them acknowledged, then the dump starts while the rest are
    // still being stored.
    QHash<QString, qint64> acknowledged;
    auto nextEcho = [&] {
        const QJsonObject echo = writer.waitFor(u"message"_s, 30'000);
        acknowledged.insert(echo.value(u"text"_s).toString(), echo.value(u"seq"_s).toInteger());
        return !echo.isEmpty();
    };
    while (acknowledged.size() < Messages / 3)
        QVERIFY(nextEcho());
    const QHash<QString, qint64> beforeDump = acknowledged;
    const QString dump = m_dir.filePath(u"confab.dump"_s);
    QProcess pgDump;
    pgDump.setProcessChannelMode(QProcess::MergedChannels);
    pgDump.start(postgres.program(u"pg_dump"_s),
                 {u"--format=custom"_s, u"--file"_s, dump, postgres.urlOf(u"live"_s)});
    QVERIFY(pgDump.waitForStarted());
    while (acknowledged.size() < Messages)
        QVERIFY(nextEcho());
    QVERIFY(pgDump.waitForFinished(60'000));
    QVERIFY2(pgDump.exitCode() == 0, pgDump.readAll().constData());
    QCOMPARE(server.stop(), 0);

    // Restored into an empty database, as the docs do it.
    QVERIFY2(postgres.createDatabase(u"restored"_s), qPrintable(postgres.error()));
    QProcess pgRestore;
    pgRestore.setProcessChannelMode(QProcess::MergedChannels);
    pgRestore.start(postgres.program(u"pg_restore"_s),
                    {u"--dbname"_s, postgres.urlOf(u"restored"_s), u"--no-owner"_s, dump});
    QVERIFY(pgRestore.waitForFinished(60'000));
    QVERIFY2(pgRestore.exitCode() == 0, pgRestore.readAll().constData());

    ServerProcess restored;
    restored.setDatabasePath(postgres.urlOf(u"restored"_s));
    QVERIFY2(restored.start(), qPrintable(restored.error()));
    ChatClient reader;
    QVERIFY(reader.connectTo(restored.tcpPort()) && reader.login(u"reader"_s));
    QHash<QString, qint64> stored;
    qint64 after = 0;
    for (;;) {
        const QJsonArray page = reader.ask(u"history"_s, {{u"room"_s, u"backup"_s}, {u"after"_s, after}, {u"limit"_s, 200}},
                                           u"history_page"_s)
                                        .value(u"messages"_s)
                                        .toArray();
        for (const QJsonValue &message : page) {
            stored.insert(message[u"text"_s].toString(), message[u"seq"_s].toInteger());
            after = qMax(after, message[u"seq"_s].toInteger());
        }
        if (page.size() < 200)
            break;
    }
    for (auto it = beforeDump.cbegin(); it != beforeDump.cend(); ++it)
        QVERIFY2(stored.value(it.key()) == it.value(), qPrintable(u"lost in the backup: "_s + it.key()));
    qInfo("acknowledged before the dump: %lld; restored: %lld", qint64(beforeDump.size()), qint64(stored.size()));

    // New messages are numbered after the restored ones.
    QVERIFY(!reader.join(u"backup"_s).isEmpty());
    reader.send({{u"type"_s, u"say"_s}, {u"room"_s, u"backup"_s}, {u"text"_s, u"after the restore"_s}});
    QVERIFY(reader.waitFor(u"message"_s).value(u"seq"_s).toInteger() > after);
    QCOMPARE(restored.stop(), 0);
}

QTEST_GUILESS_MAIN(TestBackup)
#include "tst_backup.moc"
