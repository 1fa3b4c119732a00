// The --config file's reader (server/operations/configfile.h): values exactly as
// written, commas and semicolons included, and every other line refused
// with its number.

#include "configfile.h"

#include <QTest>

using namespace Qt::StringLiterals;

using Settings = QList<QPair<QString, QString>>;

class TestConfigFile : public QObject
{
    Q_OBJECT

private slots:
    void reads_data();
    void reads();
    void refuses_data();
    void refuses();
};

void TestConfigFile::reads_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<Settings>("settings");

    QTest::newRow("commas are part of the value")
            << u"operators=alice,bob\n"_s << Settings{{u"operators"_s, u"alice,bob"_s}};
    QTest::newRow("so are semicolons")
            << u"motd=Be kind; no spam, please\n"_s << Settings{{u"motd"_s, u"Be kind; no spam, please"_s}};
    QTest::newRow("spaces around = and at the ends")
            << u"  metrics-allow =  127.0.0.1/32, 10.0.0.0/8  \n"_s
            << Settings{{u"metrics-allow"_s, u"127.0.0.1/32, 10.0.0.0/8"_s}};
    QTest::newRow("comments and [General]")
            << u"; a comment\n# another\n[General]\n\ntcp-port=7700\n"_s << Settings{{u"tcp-port"_s, u"7700"_s}};
    QTest::newRow("quotes keep the spaces") << u"motd=\"  hi  \"\n"_s << Settings{{u"motd"_s, u"  hi  "_s}};
    QTest::newRow("quotes as QSettings wrote them")
            << u"operators=\"alice,bob\"\n"_s << Settings{{u"operators"_s, u"alice,bob"_s}};
    QTest::newRow("an escaped quote") << u"motd=\"say \\\"hi\\\"\"\n"_s << Settings{{u"motd"_s, u"say \"hi\""_s}};
    QTest::newRow("a quote inside an unquoted value")
            << u"motd=say \"hi\" to all\n"_s << Settings{{u"motd"_s, u"say \"hi\" to all"_s}};
    QTest::newRow("windows line ends") << u"motd=hi\r\nflood-burst=3\r\n"_s
                                       << Settings{{u"motd"_s, u"hi"_s}, {u"flood-burst"_s, u"3"_s}};
    QTest::newRow("an empty value") << u"password=\n"_s << Settings{{u"password"_s, QString()}};
    QTest::newRow("unicode") << u"motd=Grüße 👋, willkommen\n"_s << Settings{{u"motd"_s, u"Grüße 👋, willkommen"_s}};
    QTest::newRow("a ; inside is not a comment")
            << u"bind=127.0.0.1 ; the local one\n"_s << Settings{{u"bind"_s, u"127.0.0.1 ; the local one"_s}};
}

void TestConfigFile::reads()
{
    QFETCH(QString, text);
    QFETCH(Settings, settings);
    QString error;
    const auto entries = ConfigFile::parse(text, &error);
    QVERIFY2(entries, qPrintable(error));
    Settings got;
    for (const ConfigFile::Entry &entry : *entries)
        got.append({entry.name, entry.value});
    QCOMPARE(got, settings);
}

void TestConfigFile::refuses_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("error");

    QTest::newRow("no =") << u"motd=hi\njust words\n"_s << u"line 2: not a setting"_s;
    QTest::newRow("no name") << u"=value\n"_s << u"line 1: not a setting"_s;
    QTest::newRow("another section") << u"[server]\nmotd=hi\n"_s << u"line 1: [server] is not a section"_s;
    QTest::newRow("twice") << u"motd=a\n\nmotd=b\n"_s << u"line 3: motd is set already on line 1"_s;
    QTest::newRow("a bare quote inside quotes") << u"motd=\"a\"b\"\n"_s << u"line 1: a quoted value"_s;
}

void TestConfigFile::refuses()
{
    QFETCH(QString, text);
    QFETCH(QString, error);
    QString said;
    QVERIFY(!ConfigFile::parse(text, &said));
    QVERIFY2(said.startsWith(error), qPrintable(said));
}

QTEST_APPLESS_MAIN(TestConfigFile)
#include "tst_configfile.moc"
