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
    void arguments_data();
    void arguments();
    void modes_data();
    void modes();
    void durations_data();
    void durations();
    void secretsStayOutOfHistory_data();
    void secretsStayOutOfHistory();
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
    QTest::newRow("join three words") << u"/join a b c"_s << K::Invalid << QString() << QString();
    QTest::newRow("leave current") << u"/leave"_s << K::Leave << QString() << QString();
    QTest::newRow("leave with reason") << u"/leave lunch time"_s << K::Leave << QString() << u"lunch time"_s;
    QTest::newRow("leave other room") << u"/leave #dev bye"_s << K::Leave << u"dev"_s << u"bye"_s;
    QTest::newRow("part") << u"/part"_s << K::Leave << QString() << QString();
    QTest::newRow("msg") << u"/msg bob hi there"_s << K::Msg << u"bob"_s << u"hi there"_s;
    QTest::newRow("me") << u"/me waves at everyone"_s << K::Me << QString() << u"waves at everyone"_s;
    QTest::newRow("me without text") << u"/me"_s << K::Invalid << QString() << QString();
    QTest::newRow("away") << u"/away out to lunch"_s << K::Away << QString() << u"out to lunch"_s;
    QTest::newRow("away alone: back") << u"/away"_s << K::Away << QString() << QString();
    QTest::newRow("back") << u"/back"_s << K::Back << QString() << QString();
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
    for (const char *name : {"/join", "/leave", "/msg", "/me", "/nick", "/topic", "/list", "/who", "/quit", "/help",
                             "/register", "/login", "/kick", "/ban", "/mute", "/invite", "/mode", "/op"})
        QVERIFY2(help.contains(QLatin1String(name)), name);
}

void TestCommandParser::arguments_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<Command::Kind>("kind");
    QTest::addColumn<QString>("target");
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("extra");
    QTest::addColumn<qint64>("duration"); // -1: none

    using K = Command::Kind;
    QTest::newRow("join with key") << u"/join #vault s3cret"_s << K::Join << u"vault"_s << QString() << u"s3cret"_s << -1LL;
    QTest::newRow("kick") << u"/kick bob"_s << K::Kick << u"bob"_s << QString() << QString() << -1LL;
    QTest::newRow("kick with reason") << u"/kick bob stop shouting"_s << K::Kick << u"bob"_s << u"stop shouting"_s
                                      << QString() << -1LL;
    QTest::newRow("kick nobody") << u"/kick"_s << K::Invalid << QString() << QString() << QString() << -1LL;
    QTest::newRow("ban for ever") << u"/ban bob spam"_s << K::Ban << u"bob"_s << u"spam"_s << QString() << -1LL;
    QTest::newRow("ban for a while") << u"/ban nick:spam* 1h30m links"_s << K::Ban << u"nick:spam*"_s << u"links"_s
                                     << QString() << 5400LL;
    QTest::newRow("ban without reason") << u"/ban address:10.0.0.0/8 7d"_s << K::Ban << u"address:10.0.0.0/8"_s
                                        << QString() << QString() << 604800LL;
    QTest::newRow("ban for no time") << u"/ban bob 0s"_s << K::Invalid << QString() << QString() << QString() << -1LL;
    QTest::newRow("unban") << u"/unban account:bob"_s << K::Unban << u"account:bob"_s << QString() << QString() << -1LL;
    QTest::newRow("bans") << u"/bans"_s << K::BanList << QString() << QString() << QString() << -1LL;
    QTest::newRow("mute") << u"/mute bob 10m calm down"_s << K::Mute << u"bob"_s << u"calm down"_s << QString()
                          << 600LL;
    QTest::newRow("unmute") << u"/unmute bob"_s << K::Unmute << u"bob"_s << QString() << QString() << -1LL;
    QTest::newRow("invite here") << u"/invite carol"_s << K::Invite << u"carol"_s << QString() << QString() << -1LL;
    QTest::newRow("invite elsewhere") << u"/invite carol #staff"_s << K::Invite << u"carol"_s << QString()
                                      << u"staff"_s << -1LL;
    QTest::newRow("op") << u"/op bob"_s << K::Op << u"bob"_s << QString() << QString() << -1LL;
    QTest::newRow("deop") << u"/deop bob"_s << K::Deop << u"bob"_s << QString() << QString() << -1LL;
    QTest::newRow("claim") << u"/claim"_s << K::Claim << QString() << QString() << QString() << -1LL;
    QTest::newRow("register") << u"/register correct horse"_s << K::Register << QString() << u"correct horse"_s
                              << QString() << -1LL;
    QTest::newRow("login") << u"/login alice hunter22"_s << K::Login << u"alice"_s << u"hunter22"_s << QString()
                           << -1LL;
    QTest::newRow("login without password") << u"/login alice"_s << K::Invalid << QString() << QString() << QString()
                                            << -1LL;
    QTest::newRow("password") << u"/password old-one new-one"_s << K::Password << QString() << u"old-one"_s
                              << u"new-one"_s << -1LL;
    QTest::newRow("audit here") << u"/audit"_s << K::Audit << QString() << QString() << QString() << -1LL;
    QTest::newRow("audit server") << u"/audit *"_s << K::Audit << u"*"_s << QString() << QString() << -1LL;
    QTest::newRow("server ban") << u"/sban address:2001:db8::/32 1d abuse"_s << K::ServerBan
                                << u"address:2001:db8::/32"_s << u"abuse"_s << QString() << 86400LL;
    QTest::newRow("server unban") << u"/sunban nick:x"_s << K::ServerUnban << u"nick:x"_s << QString() << QString()
                                  << -1LL;
    QTest::newRow("server bans") << u"/sbans"_s << K::ServerBanList << QString() << QString() << QString() << -1LL;
}

void TestCommandParser::arguments()
{
    QFETCH(QString, input);
    QFETCH(Command::Kind, kind);
    QFETCH(QString, target);
    QFETCH(QString, text);
    QFETCH(QString, extra);
    QFETCH(qint64, duration);

    const Command command = Command::parse(input);
    QCOMPARE(command.kind, kind);
    if (kind == Command::Kind::Invalid) {
        QVERIFY(command.error.startsWith(u"usage:"_s));
        return;
    }
    QCOMPARE(command.target, target);
    QCOMPARE(command.text, text);
    QCOMPARE(command.extra, extra);
    QCOMPARE(command.duration.value_or(-1), duration);
}

void TestCommandParser::modes_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<QString>("inviteOnly"); // "", "on", "off"
    QTest::addColumn<QString>("topicLocked");
    QTest::addColumn<QString>("key"); // "-": leave alone

    QTest::newRow("show") << u"/mode"_s << true << QString() << QString() << u"-"_s;
    QTest::newRow("invite only") << u"/mode +i"_s << true << u"on"_s << QString() << u"-"_s;
    QTest::newRow("open and locked") << u"/mode -i +t"_s << true << u"off"_s << u"on"_s << u"-"_s;
    QTest::newRow("combined with key") << u"/mode +ik letmein"_s << true << u"on"_s << QString() << u"letmein"_s;
    QTest::newRow("remove key") << u"/mode -k"_s << true << QString() << QString() << QString();
    QTest::newRow("key without value") << u"/mode +k"_s << false << QString() << QString() << u"-"_s;
    QTest::newRow("unknown letter") << u"/mode +x"_s << false << QString() << QString() << u"-"_s;
    QTest::newRow("no sign") << u"/mode i"_s << false << QString() << QString() << u"-"_s;
}

void TestCommandParser::modes()
{
    QFETCH(QString, input);
    QFETCH(bool, valid);
    QFETCH(QString, inviteOnly);
    QFETCH(QString, topicLocked);
    QFETCH(QString, key);

    const Command command = Command::parse(input);
    QCOMPARE(command.kind, valid ? Command::Kind::Mode : Command::Kind::Invalid);
    if (!valid)
        return;
    auto flag = [](const std::optional<bool> &value) {
        return value ? (*value ? u"on"_s : u"off"_s) : QString();
    };
    QCOMPARE(flag(command.inviteOnly), inviteOnly);
    QCOMPARE(flag(command.topicLocked), topicLocked);
    QCOMPARE(command.key.value_or(u"-"_s), key);
}

void TestCommandParser::durations_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<qint64>("seconds"); // -1: not a duration
    QTest::addColumn<QString>("described");

    QTest::newRow("seconds") << u"90s"_s << 90LL << u"90 seconds"_s;
    QTest::newRow("minutes") << u"10m"_s << 600LL << u"10 minutes"_s;
    QTest::newRow("one hour") << u"1h"_s << 3600LL << u"1 hour"_s;
    QTest::newRow("sum") << u"1h30m"_s << 5400LL << u"90 minutes"_s;
    QTest::newRow("days, upper case") << u"2D"_s << 172800LL << u"2 days"_s;
    QTest::newRow("weeks") << u"1w"_s << 604800LL << u"1 week"_s;
    QTest::newRow("bare number") << u"10"_s << -1LL << QString();
    QTest::newRow("a word") << u"spam"_s << -1LL << QString();
    QTest::newRow("unit first") << u"h1"_s << -1LL << QString();
}

void TestCommandParser::durations()
{
    QFETCH(QString, text);
    QFETCH(qint64, seconds);
    QFETCH(QString, described);

    const std::optional<qint64> parsed = Command::parseDuration(text);
    QCOMPARE(parsed.value_or(-1), seconds);
    if (parsed)
        QCOMPARE(Command::describeDuration(*parsed), described);
}

void TestCommandParser::secretsStayOutOfHistory_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<bool>("secret");

    QTest::newRow("register") << u"/register hunter22"_s << true;
    QTest::newRow("login, any case") << u"/LOGIN alice hunter22"_s << true;
    QTest::newRow("password") << u"/password a b"_s << true;
    QTest::newRow("text about login") << u"how do I /login?"_s << false;
    QTest::newRow("another command") << u"/loginfo"_s << false;
}

void TestCommandParser::secretsStayOutOfHistory()
{
    QFETCH(QString, input);
    QFETCH(bool, secret);
    QCOMPARE(Command::carriesSecret(input), secret);
}

QTEST_APPLESS_MAIN(TestCommandParser)
#include "tst_commandparser.moc"
