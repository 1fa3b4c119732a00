#include "commandparser.h"

#include <QTest>

using namespace Qt::StringLiterals;

Q_DECLARE_METATYPE(Command::Kind)

class TestCommandParser : public QObject
{
    Q_OBJECT

private slots:
    void parse_data();
    void parse();
    void helpListsEveryCommand();
};

void TestCommandParser::parse_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<Command::Kind>("kind");
    QTest::addColumn<QString>("target");
    QTest::addColumn<QString>("text");

    using K = Command::Kind;
    QTest::newRow("plain text") << u"hello there"_s << K::Say << QString() << u"hello there"_s;
    QTest::newRow("escaped slash") << u"//not a command"_s << K::Say << QString() << u"/not a command"_s;
    QTest::newRow("join") << u"/join dev"_s << K::Join << u"dev"_s << QString();
    QTest::newRow("join with hash") << u"/join #dev"_s << K::Join << u"dev"_s << QString();
    QTest::newRow("join case-insensitive command") << u"/JOIN dev"_s << K::Join << u"dev"_s << QString();
    QTest::newRow("join without room") << u"/join"_s << K::Invalid << QString() << QString();
    QTest::newRow("join two words") << u"/join a b"_s << K::Invalid << QString() << QString();
    QTest::newRow("leave current") << u"/leave"_s << K::Leave << QString() << QString();
    QTest::newRow("leave with reason") << u"/leave lunch time"_s << K::Leave << QString() << u"lunch time"_s;
    QTest::newRow("leave other room") << u"/leave #dev bye"_s << K::Leave << u"dev"_s << u"bye"_s;
    QTest::newRow("part") << u"/part"_s << K::Leave << QString() << QString();
    QTest::newRow("msg") << u"/msg bob hi there"_s << K::Msg << u"bob"_s << u"hi there"_s;
    QTest::newRow("msg without text") << u"/msg bob"_s << K::Invalid << QString() << QString();
    QTest::newRow("nick") << u"/nick alicia"_s << K::Nick << u"alicia"_s << QString();
    QTest::newRow("topic show") << u"/topic"_s << K::Topic << QString() << QString();
    QTest::newRow("topic set") << u"/topic Release on Friday"_s << K::Topic << QString() << u"Release on Friday"_s;
    QTest::newRow("list") << u"/list"_s << K::List << QString() << QString();
    QTest::newRow("who here") << u"/who"_s << K::Who << QString() << QString();
    QTest::newRow("who room") << u"/who #dev"_s << K::Who << u"dev"_s << QString();
    QTest::newRow("quit") << u"/quit going home"_s << K::Quit << QString() << u"going home"_s;
    QTest::newRow("help") << u"/help"_s << K::Help << QString() << QString();
    QTest::newRow("unknown") << u"/dance"_s << K::Invalid << QString() << QString();
    QTest::newRow("multi-line text") << u"line one\nline two"_s << K::Say << QString() << u"line one\nline two"_s;
}

void TestCommandParser::parse()
{
    QFETCH(QString, input);
    QFETCH(Command::Kind, kind);
    QFETCH(QString, target);
    QFETCH(QString, text);

    const Command command = Command::parse(input);
    QCOMPARE(command.kind, kind);
    if (kind == Command::Kind::Invalid) {
        QVERIFY(!command.error.isEmpty());
        return;
    }
    QCOMPARE(command.target, target);
    QCOMPARE(command.text, text);
}

void TestCommandParser::helpListsEveryCommand()
{
    const QString help = Command::help().join(u'\n');
    for (const char *name : {"/join", "/leave", "/msg", "/nick", "/topic", "/list", "/who", "/quit", "/help"})
        QVERIFY2(help.contains(QLatin1String(name)), name);
}

QTEST_APPLESS_MAIN(TestCommandParser)
#include "tst_commandparser.moc"
