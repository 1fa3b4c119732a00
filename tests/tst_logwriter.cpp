// confab-server's log lines: text or JSON, one per event, never what users
// wrote or their passwords.

#include "chatclient.h"
#include "logwriter.h"
#include "serverprocess.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace Qt::StringLiterals;

Q_DECLARE_METATYPE(LogWriter::Format)

class TestLogWriter : public QObject
{
    Q_OBJECT

private slots:
    void formatLine_data();
    void formatLine();
    void serverLogsJsonAndNoSecrets();
};

void TestLogWriter::formatLine_data()
{
    QTest::addColumn<LogWriter::Format>("format");
    QTest::addColumn<QByteArray>("level");
    QTest::addColumn<QString>("message");
    QTest::addColumn<QByteArray>("expected"); // after the time prefix, for text

    QTest::newRow("info") << LogWriter::Format::Text << QByteArray("info") << u"#1 1.2.3.4:5 tcp connected"_s
                          << QByteArray("#1 1.2.3.4:5 tcp connected\n");
    QTest::newRow("warning") << LogWriter::Format::Text << QByteArray("warning") << u"disk full"_s
                             << QByteArray("warning: disk full\n");
    QTest::newRow("error") << LogWriter::Format::Text << QByteArray("error") << u"cannot store"_s
                           << QByteArray("error: cannot store\n");
    QTest::newRow("json") << LogWriter::Format::Json << QByteArray("info") << u"quote \" and é"_s << QByteArray();
}

void TestLogWriter::formatLine()
{
    QFETCH(LogWriter::Format, format);
    QFETCH(QByteArray, level);
    QFETCH(QString, message);
    QFETCH(QByteArray, expected);

    const qint64 when = QDateTime(QDate(2026, 11, 30), QTime(18, 22, 55, 7), Qt::UTC).toMSecsSinceEpoch();
    const QByteArray line = LogWriter::formatLine(format, when, level.constData(), "confab.server.net", message);
    QVERIFY(line.endsWith('\n'));
    QCOMPARE(line.count('\n'), 1);
    if (format == LogWriter::Format::Text) {
        // Local time, to the millisecond, then the line.
        const QByteArray local = QDateTime::fromMSecsSinceEpoch(when).toString(u"yyyy-MM-dd hh:mm:ss.zzz "_s).toLatin1();
        QCOMPARE(line, local + expected);
        return;
    }
    const QJsonObject object = QJsonDocument::fromJson(line).object();
    QCOMPARE(object.value(u"ts"_s).toString(), u"2026-11-30T18:22:55.007Z"_s);
    QCOMPARE(object.value(u"level"_s).toString(), QString::fromLatin1(level));
    QCOMPARE(object.value(u"category"_s).toString(), u"confab.server.net"_s);
    QCOMPARE(object.value(u"msg"_s).toString(), message);
}

void TestLogWriter::serverLogsJsonAndNoSecrets()
{
    ServerProcess server;
    QVERIFY2(server.start({u"--log-format"_s, u"json"_s}), qPrintable(server.error()));
    ChatClient client;
    QVERIFY(client.enter(server.tcpPort(), u"logged"_s, {u"quiet"_s}));
    QCOMPARE(ChatClient::outcome(client.ask(u"register"_s, {{u"password"_s, u"a-secret-password"_s}}, u"registered"_s)),
             u"registered"_s);
    client.send({{u"type"_s, u"say"_s}, {u"room"_s, u"quiet"_s}, {u"text"_s, u"words nobody should log"_s}});
    QVERIFY(!client.waitFor(u"message"_s).isEmpty());
    client.send({{u"type"_s, u"quit"_s}});
    QVERIFY(client.waitForDisconnected());
    QVERIFY(server.waitForOutput(u"disconnected"_s));
    QCOMPARE(server.stop(), 0);

    const QStringList lines = server.output().split(u'\n', Qt::SkipEmptyParts);
    QVERIFY(lines.size() >= 5);
    for (const QString &line : lines) {
        const QJsonObject object = QJsonDocument::fromJson(line.toUtf8()).object();
        QVERIFY2(!object.isEmpty(), qPrintable(line));
        for (const char *key : {"ts", "level", "category", "msg"})
            QVERIFY2(object.contains(QLatin1String(key)), qPrintable(line));
    }
    QVERIFY(server.output().contains(u"identified as logged"_s));
    QVERIFY(!server.output().contains(u"words nobody should log"_s));
    QVERIFY(!server.output().contains(u"a-secret-password"_s));
}

QTEST_GUILESS_MAIN(TestLogWriter)
#include "tst_logwriter.moc"
