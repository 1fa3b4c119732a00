#include "codec.h"

#include <QJsonDocument>
#include <QSet>
#include <QTest>

using namespace Confab::Protocol;
using namespace Qt::StringLiterals;

Q_DECLARE_METATYPE(Confab::Protocol::Message)
Q_DECLARE_METATYPE(Confab::Protocol::ErrorCode)

namespace {

ChatMessage sampleMessage(qint64 seq, const QString &text)
{
    return ChatMessage{u"lobby"_s, u"alice"_s, text, 1795000000000 + seq, seq, std::nullopt,
                       std::nullopt, std::nullopt, std::nullopt, std::nullopt};
}

// A message that was edited and reacted to, with every later field set.
ChatMessage editedMessage()
{
    ChatMessage message = sampleMessage(7, u"seven, fixed"_s);
    message.edited = 1795000009000;
    message.reactions = QList<Reaction>{{u"\U0001F44D"_s, {u"bob"_s, u"carol"_s}, std::nullopt, std::nullopt},
                                        {u"\u2764\uFE0F"_s, {u"alice"_s}, std::nullopt, std::nullopt}};
    message.rev = 3;
    return message;
}

// One sample of every message type, with values that exercise escaping and
// optional fields.
QList<QPair<QByteArray, Message>> samples()
{
    return {
            {"hello", Hello{u"alice"_s, std::nullopt, std::nullopt, std::nullopt, std::nullopt}},
            {"hello full", Hello{u"Zoë"_s, u"s3cret"_s, u"confab/0.1"_s, 1, std::nullopt}},
            {"hello login", Hello{u"alice"_s, std::nullopt, std::nullopt, std::nullopt,
                                  Credentials{u"Alice"_s, u"correct horse"_s}}},
            {"register", Register{u"correct horse"_s}},
            {"change_password", ChangePassword{u"correct horse"_s, u"battery staple"_s}},
            {"join", Join{u"lobby"_s, std::nullopt}},
            {"join with key", Join{u"vault"_s, u"s3same"_s}},
            {"leave", Leave{u"lobby"_s, std::nullopt}},
            {"leave reason", Leave{u"lobby"_s, u"lunch"_s}},
            {"say", Say{u"lobby"_s, u"hi \"bob\"\n<b>\\ok</b> \U0001F600"_s, std::nullopt}},
            {"say action", Say{u"lobby"_s, u"waves"_s, true}},
            {"whisper", Whisper{u"bob"_s, u"psst"_s, std::nullopt}},
            {"whisper action", Whisper{u"bob"_s, u"nods"_s, true}},
            {"nick", ChangeNick{u"alicia"_s}},
            {"topic", SetTopic{u"lobby"_s, u"Release planning"_s}},
            {"topic cleared", SetTopic{u"lobby"_s, QString()}},
            {"list", ListRooms{}},
            {"who all", Who{std::nullopt}},
            {"who room", Who{u"lobby"_s}},
            {"history", GetHistory{u"lobby"_s, std::nullopt, std::nullopt, std::nullopt, std::nullopt}},
            {"history changed", GetHistory{u"lobby"_s, std::nullopt, std::nullopt, 100, 7}},
            {"history paged", GetHistory{u"lobby"_s, 100, 50, 200, std::nullopt}},
            {"quit", Quit{std::nullopt}},
            {"quit reason", Quit{u"bye"_s}},
            {"ping", Ping{}},
            {"pong", Pong{}},
            {"welcome", Welcome{u"alice"_s, u"confab-server/0.1.0"_s, 1, u"Welcome"_s, std::nullopt}},
            {"welcome account", Welcome{u"alice"_s, u"confab-server/0.1.0"_s, 1, u"Welcome"_s, u"Alice"_s}},
            {"registered", Registered{u"alice"_s}},
            {"password_changed", PasswordChanged{}},
            {"joined empty", Joined{u"lobby"_s, QString(), {u"alice"_s}, {}, std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt}},
            {"joined with someone away", Joined{u"lobby"_s, QString(), {u"alice"_s, u"bob"_s}, {}, std::nullopt,
                                                std::nullopt, StringMap{{u"bob"_s, u"lunch"_s}}, std::nullopt, 3}},
            {"away", SetAway{u"lunch"_s}},
            {"back", SetAway{std::nullopt}},
            {"presence away", AwayChanged{u"bob"_s, u"lunch"_s}},
            {"presence back", AwayChanged{u"bob"_s, std::nullopt}},
            {"joined history", Joined{u"lobby"_s, u"t"_s, {u"alice"_s, u"bob"_s},
                                      {sampleMessage(1, u"one"_s), sampleMessage(2, u"two\u0001"_s)},
                                      StringMap{{u"alice"_s, u"owner"_s}, {u"bób \"x\""_s, u"op"_s}},
                                      RoomModes{true, false, true}, std::nullopt, 12, std::nullopt}},
            {"mute", Mute{u"lobby"_s, u"bob"_s, 600, u"calm down"_s}},
            {"unmute", Unmute{u"lobby"_s, u"bob"_s}},
            {"mode", SetMode{u"lobby"_s, true, u""_s, std::nullopt}},
            {"invite", Invite{u"lobby"_s, u"bob"_s}},
            {"muted", Muted{u"lobby"_s, u"bob"_s, u"alice"_s, 1795000000000}},
            {"muted for ever", Muted{u"lobby"_s, u"bob"_s, u"alice"_s, std::nullopt}},
            {"unmuted", Unmuted{u"lobby"_s, u"bob"_s, u"alice"_s}},
            {"mode_changed", ModeChanged{u"lobby"_s, true, true, false, u"alice"_s}},
            {"invited", Invited{u"lobby"_s, u"bob"_s, u"alice"_s}},
            {"claim", Claim{u"lobby"_s}},
            {"grant", Grant{u"lobby"_s, u"bob"_s, u"op"_s}},
            {"kick", Kick{u"lobby"_s, u"bob"_s, u"spam"_s}},
            {"ban", Ban{u"lobby"_s, u"nick:spam*"_s, 3600, u"spam"_s}},
            {"ban for ever", Ban{u"lobby"_s, u"address:192.0.2.0/24"_s, std::nullopt, std::nullopt}},
            {"unban", Unban{u"lobby"_s, u"nick:spam*"_s}},
            {"ban_list request", GetBanList{u"lobby"_s}},
            {"ban_list", BanList{u"lobby"_s, {BanEntry{u"nick:spam*"_s, u"alice"_s, u"spam"_s, 1795000000000},
                                              BanEntry{u"account:bob"_s, u"alice"_s, QString(), std::nullopt}}}},
            {"server_ban", ServerBan{u"address:192.0.2.0/24"_s, 86400, u"abuse"_s}},
            {"server_unban", ServerUnban{u"address:192.0.2.0/24"_s}},
            {"server_ban_list request", GetServerBanList{}},
            {"server_ban_list", ServerBanList{{BanEntry{u"nick:spam*"_s, u"root"_s, QString(), std::nullopt}}}},
            {"audit", GetAudit{u"lobby"_s, 1795000000000, 20}},
            {"audit server", GetAudit{std::nullopt, std::nullopt, std::nullopt}},
            {"role_changed", RoleChanged{u"lobby"_s, u"bob"_s, u"op"_s, u"alice"_s}},
            {"kicked", Kicked{u"lobby"_s, u"bob"_s, u"alice"_s, QString()}},
            {"audit_page", AuditPage{{AuditEntry{1795000000000, u"alice"_s, u"kick"_s, u"lobby"_s, u"bob"_s, u"spam"_s},
                                      AuditEntry{1795000000001, u"root"_s, u"server_ban"_s, std::nullopt,
                                                 std::nullopt, QString()}}}},
            {"left", Left{u"lobby"_s}},
            {"user_joined", UserJoined{u"lobby"_s, u"bob"_s}},
            {"user_left", UserLeft{u"lobby"_s, u"bob"_s, u"connection lost"_s}},
            {"message", sampleMessage(42, u"tab\there"_s)},
            {"private", PrivateMessage{u"alice"_s, u"bob"_s, u"psst"_s, 1795000000000, std::nullopt, std::nullopt,
                                       std::nullopt}},
            {"private action", PrivateMessage{u"alice"_s, u"bob"_s, u"nods"_s, 1795000000000, true, 3, std::nullopt}},
            {"private waiting", PrivateMessage{u"alice"_s, u"bob"_s, u"later"_s, 1795000000000, std::nullopt, 4, true}},
            {"private_history", GetPrivateHistory{u"bob"_s, std::nullopt, 3, 100}},
            {"private_page", PrivatePage{u"bob"_s, {PrivateMessage{u"alice"_s, u"bob"_s, u"psst"_s, 1795000000000,
                                                                   std::nullopt, 1, std::nullopt}},
                                         1, std::nullopt}},
            {"read room", MarkRead{u"lobby"_s, std::nullopt, 42}},
            {"read private", MarkRead{std::nullopt, u"bob"_s, 7}},
            {"read_marker", ReadMarker{u"lobby"_s, std::nullopt, 42}},
            {"typing in a room", Typing{u"lobby"_s, std::nullopt, u"alice"_s, std::nullopt}},
            {"typing done, privately", Typing{std::nullopt, u"bob"_s, u"alice"_s, true}},
            {"nick_changed", NickChanged{u"alice"_s, u"alicia"_s}},
            {"topic_changed", TopicChanged{u"lobby"_s, u"new"_s, u"alice"_s}},
            {"room_list", RoomList{{RoomInfo{u"lobby"_s, QString(), 3}, RoomInfo{u"dev"_s, u"code"_s, 1}}, std::nullopt}},
            {"room_list cut", RoomList{{RoomInfo{u"lobby"_s, QString(), 3}}, true}},
            {"room_list empty", RoomList{}},
            {"member_list all", MemberList{std::nullopt, {u"alice"_s, u"bob"_s}}},
            {"member_list room", MemberList{u"lobby"_s, {u"alice"_s}}},
            {"history_page", HistoryPage{u"lobby"_s, {sampleMessage(7, u"seven"_s)}, std::nullopt}},
            {"history_page cut short", HistoryPage{u"lobby"_s, {sampleMessage(7, u"seven"_s)}, true}},
            {"edit", EditMessage{u"lobby"_s, 7, u"seven, fixed"_s}},
            {"delete", DeleteMessage{u"lobby"_s, 7}},
            {"react", React{u"lobby"_s, 7, u"\U0001F44D"_s}},
            {"updated", MessageUpdated{u"bob"_s, editedMessage()}},
            {"error", Error{ErrorCode::NoSuchUser, u"carol is not online"_s}},
            {"closing", Closing{u"server shutting down"_s}},
    };
}

Sender senderOf(const Message &message)
{
    return std::visit([](const auto &m) { return std::decay_t<decltype(m)>::sender; }, message);
}

} // namespace

class TestCodec : public QObject
{
    Q_OBJECT

private slots:
    void samplesCoverEveryType();
    void roundTrip_data();
    void roundTrip();
    void wireFormat_data();
    void wireFormat();
    void decodeErrors_data();
    void decodeErrors();
    void reasonsSayWhere_data();
    void reasonsSayWhere();
    void unknownFieldsIgnored();
    void nullOptionalIsAbsent();
};

void TestCodec::samplesCoverEveryType()
{
    QSet<std::size_t> seen;
    for (const auto &sample : samples())
        seen.insert(sample.second.index());
    QCOMPARE(seen.size(), qsizetype(std::variant_size_v<Message>));
}

void TestCodec::roundTrip_data()
{
    QTest::addColumn<Message>("message");
    QTest::addColumn<QJsonValue>("id");
    for (const auto &[name, message] : samples()) {
        QTest::addRow("%s", name.constData()) << message << QJsonValue();
        QTest::addRow("%s, string id", name.constData()) << message << QJsonValue(u"req-1"_s);
        QTest::addRow("%s, integer id", name.constData()) << message << QJsonValue(9007199254740991.0);
    }
}

void TestCodec::roundTrip()
{
    QFETCH(Message, message);
    QFETCH(QJsonValue, id);

    const QByteArray frame = encode(message, id);
    QVERIFY2(!frame.contains('\n'), frame.constData());
    QVERIFY2(frame.startsWith("{\"type\":\"" + QByteArray(typeName(message).data()) + '"'), frame.constData());
    QVERIFY(QJsonDocument::fromJson(frame).isObject());

    const Sender sender = senderOf(message);
    for (const Sender side : {Sender::Client, Sender::Server}) {
        if ((int(sender) & int(side)) == 0)
            continue;
        const auto decoded = decode(frame, side);
        if (const auto *error = std::get_if<DecodeError>(&decoded))
            QFAIL(qPrintable(u"%1: %2"_s.arg(QString::fromUtf8(frame), error->reason)));
        const auto &envelope = std::get<Envelope>(decoded);
        QVERIFY(envelope.message == message);
        QCOMPARE(envelope.id, id);
    }
}

void TestCodec::wireFormat_data()
{
    QTest::addColumn<Message>("message");
    QTest::addColumn<QJsonValue>("id");
    QTest::addColumn<QByteArray>("expected");

    QTest::newRow("message with id") << Message(sampleMessage(1, u"hi bob"_s))
                                     << QJsonValue(2)
                                     << QByteArray(R"({"type":"message","room":"lobby","from":"alice","text":"hi bob",)"
                                                   R"("ts":1795000000001,"seq":1,"id":2})");
    QTest::newRow("error") << Message(Error{ErrorCode::NoSuchUser, u"carol is not online"_s})
                           << QJsonValue()
                           << QByteArray(R"({"type":"error","code":"no_such_user","message":"carol is not online"})");
    QTest::newRow("who all has null room") << Message(MemberList{std::nullopt, {u"a"_s}})
                                           << QJsonValue(u"x"_s)
                                           << QByteArray(R"({"type":"member_list","room":null,"members":["a"],"id":"x"})");
    QTest::newRow("optional fields omitted") << Message(Hello{u"alice"_s, {}, {}, {}, {}})
                                             << QJsonValue()
                                             << QByteArray(R"({"type":"hello","nick":"alice"})");
    QTest::newRow("welcome without account has null") << Message(Welcome{u"a"_s, u"s"_s, 1, u"m"_s, std::nullopt})
                                                      << QJsonValue()
                                                      << QByteArray(R"({"type":"welcome","nick":"a","server":"s","protocol":1,"motd":"m","account":null})");
    QTest::newRow("escapes") << Message(Say{u"r"_s, u"\"\\\n\r\t\u0001/é"_s, std::nullopt}) << QJsonValue()
                             << QByteArray("{\"type\":\"say\",\"room\":\"r\",\"text\":\"\\\"\\\\\\n\\r\\t\\u0001/\xc3\xa9\"}");
    QTest::newRow("nested history") << Message(Joined{u"r"_s, u""_s, {}, {sampleMessage(1, u"t"_s)}, std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt})
                                    << QJsonValue()
                                    << QByteArray(R"({"type":"joined","room":"r","topic":"","members":[],)"
                                                  R"("history":[{"type":"message","room":"lobby","from":"alice","text":"t","ts":1795000000001,"seq":1}]})");
    QTest::newRow("updated nests the whole message")
            << Message(MessageUpdated{u"bob"_s, editedMessage()}) << QJsonValue()
            << QByteArray(R"({"type":"updated","by":"bob","message":{"type":"message","room":"lobby","from":"alice",)"
                          R"("text":"seven, fixed","ts":1795000000007,"seq":7,"edited":1795000009000,)"
                          "\"reactions\":[{\"emoji\":\"\xf0\x9f\x91\x8d\",\"nicks\":[\"bob\",\"carol\"]},"
                          "{\"emoji\":\"\xe2\x9d\xa4\xef\xb8\x8f\",\"nicks\":[\"alice\"]}],\"rev\":3}}");
}

void TestCodec::wireFormat()
{
    QFETCH(Message, message);
    QFETCH(QJsonValue, id);
    QFETCH(QByteArray, expected);
    QCOMPARE(encode(message, id), expected);
}

void TestCodec::decodeErrors_data()
{
    QTest::addColumn<QByteArray>("frame");
    QTest::addColumn<ErrorCode>("code");
    QTest::addColumn<QJsonValue>("id");

    const QJsonValue none;
    QTest::newRow("not json") << QByteArray("hello there") << ErrorCode::BadJson << none;
    QTest::newRow("truncated") << QByteArray(R"({"type":"join","room":"lo)") << ErrorCode::BadJson << none;
    QTest::newRow("trailing garbage") << QByteArray(R"({"type":"ping"} x)") << ErrorCode::BadJson << none;
    QTest::newRow("array") << QByteArray("[1,2]") << ErrorCode::BadJson << none;
    QTest::newRow("number") << QByteArray("42") << ErrorCode::BadJson << none;
    QTest::newRow("string") << QByteArray("\"ping\"") << ErrorCode::BadJson << none;
    QTest::newRow("invalid utf-8") << QByteArray("{\"type\":\"say\",\"room\":\"a\",\"text\":\"\xff\"}")
                                   << ErrorCode::BadJson << none;
    QTest::newRow("overlong utf-8") << QByteArray("{\"type\":\"say\",\"room\":\"a\",\"text\":\"\xc0\xaf\"}")
                                    << ErrorCode::BadJson << none;
    QTest::newRow("deep nesting") << QByteArray(5000, '[') << ErrorCode::BadJson << none;
    QTest::newRow("empty object") << QByteArray("{}") << ErrorCode::BadRequest << none;
    QTest::newRow("type not string") << QByteArray(R"({"type":5,"id":"a"})") << ErrorCode::BadRequest
                                     << QJsonValue(u"a"_s);
    QTest::newRow("unknown type") << QByteArray(R"({"type":"dance","id":7})") << ErrorCode::UnknownType
                                  << QJsonValue(7);
    QTest::newRow("server type from client") << QByteArray(R"({"type":"welcome","nick":"a","server":"s",)"
                                                           R"("protocol":1,"motd":""})")
                                             << ErrorCode::UnknownType << none;
    QTest::newRow("id object") << QByteArray(R"({"type":"ping","id":{}})") << ErrorCode::BadRequest << none;
    QTest::newRow("id fraction") << QByteArray(R"({"type":"ping","id":1.5})") << ErrorCode::BadRequest << none;
    // Doubles cannot tell 2^53 + 1 from 2^53: refused rather than echoed changed.
    QTest::newRow("id 2^53 + 1") << QByteArray(R"({"type":"ping","id":9007199254740993})") << ErrorCode::BadRequest
                                 << none;
    QTest::newRow("id -2^53") << QByteArray(R"({"type":"ping","id":-9007199254740992})") << ErrorCode::BadRequest
                              << none;
    QTest::newRow("id too long") << QByteArray(R"({"type":"ping","id":")" + QByteArray(65, 'i') + "\"}")
                                 << ErrorCode::BadRequest << none;
    QTest::newRow("missing nick") << QByteArray(R"({"type":"hello","id":1})") << ErrorCode::BadRequest
                                  << QJsonValue(1);
    QTest::newRow("nick wrong type") << QByteArray(R"({"type":"hello","nick":5})") << ErrorCode::BadRequest << none;
    QTest::newRow("protocol as string") << QByteArray(R"({"type":"hello","nick":"a","protocol":"1"})")
                                        << ErrorCode::BadRequest << none;
    QTest::newRow("nick starts with digit") << QByteArray(R"({"type":"hello","nick":"9lives","id":"h"})")
                                            << ErrorCode::NickInvalid << QJsonValue(u"h"_s);
    QTest::newRow("nick change invalid") << QByteArray(R"({"type":"nick","nick":"a b"})") << ErrorCode::NickInvalid
                                         << none;
    QTest::newRow("grant owner") << QByteArray(R"({"type":"grant","room":"r","nick":"bob","role":"owner"})")
                                 << ErrorCode::BadRequest << none;
    QTest::newRow("ban for no time") << QByteArray(R"({"type":"ban","room":"r","mask":"nick:x","duration":0})")
                                     << ErrorCode::BadRequest << none;
    QTest::newRow("kick without nick") << QByteArray(R"({"type":"kick","room":"r"})") << ErrorCode::BadRequest << none;
    QTest::newRow("password too short") << QByteArray(R"({"type":"register","password":"short"})")
                                        << ErrorCode::PasswordInvalid << none;
    QTest::newRow("new password too long") << QByteArray(R"({"type":"change_password","old":"x","new":")"
                                                         + QByteArray(257, 'p') + "\"}")
                                           << ErrorCode::PasswordInvalid << none;
    QTest::newRow("login not an object") << QByteArray(R"({"type":"hello","nick":"a","login":"alice"})")
                                         << ErrorCode::BadRequest << none;
    QTest::newRow("room empty") << QByteArray(R"({"type":"join","room":""})") << ErrorCode::RoomInvalid << none;
    QTest::newRow("room with space") << QByteArray(R"({"type":"say","room":"a b","text":"x"})")
                                     << ErrorCode::RoomInvalid << none;
    QTest::newRow("text blank") << QByteArray(R"({"type":"say","room":"a","text":" \n "})") << ErrorCode::TextInvalid
                                << none;
    QTest::newRow("text too long") << QByteArray(R"({"type":"say","room":"a","text":")" + QByteArray(4097, 'x') + "\"}")
                                   << ErrorCode::TextInvalid << none;
    QTest::newRow("text lone surrogate") << QByteArray(R"({"type":"say","room":"a","text":"\ud800"})")
                                         << ErrorCode::TextInvalid << none;
    QTest::newRow("text escape char") << QByteArray(R"({"type":"whisper","to":"b","text":"\u001b[2J"})")
                                      << ErrorCode::TextInvalid << none;
    QTest::newRow("topic too long") << QByteArray(R"({"type":"topic","room":"a","topic":")" + QByteArray(301, 't') + "\"}")
                                    << ErrorCode::TextInvalid << none;
    QTest::newRow("history limit zero") << QByteArray(R"({"type":"history","room":"a","limit":0})")
                                        << ErrorCode::BadRequest << none;
    QTest::newRow("history limit 201") << QByteArray(R"({"type":"history","room":"a","limit":201})")
                                       << ErrorCode::BadRequest << none;
    QTest::newRow("history before negative") << QByteArray(R"({"type":"history","room":"a","before":-1})")
                                             << ErrorCode::BadRequest << none;
    QTest::newRow("history after fraction") << QByteArray(R"({"type":"history","room":"a","after":2.5})")
                                            << ErrorCode::BadRequest << none;
    QTest::newRow("react with a word") << QByteArray(R"({"type":"react","room":"a","seq":1,"emoji":"yes"})")
                                       << ErrorCode::TextInvalid << none;
    QTest::newRow("react with two emoji") << QByteArray("{\"type\":\"react\",\"room\":\"a\",\"seq\":1,\"emoji\":\"\xf0\x9f\x91\x8d\xf0\x9f\x91\x8d\"}")
                                          << ErrorCode::TextInvalid << none;
    QTest::newRow("react with nothing") << QByteArray(R"({"type":"react","room":"a","seq":1,"emoji":""})")
                                        << ErrorCode::TextInvalid << none;
    QTest::newRow("edit without seq") << QByteArray(R"({"type":"edit","room":"a","text":"x"})")
                                      << ErrorCode::BadRequest << none;
    QTest::newRow("edit to blank") << QByteArray(R"({"type":"edit","room":"a","seq":3,"text":"  "})")
                                   << ErrorCode::TextInvalid << none;
    QTest::newRow("history changed_after negative") << QByteArray(R"({"type":"history","room":"a","changed_after":-1})")
                                                    << ErrorCode::BadRequest << none;
    QTest::newRow("read without seq") << QByteArray(R"({"type":"read","room":"a"})") << ErrorCode::BadRequest << none;
    QTest::newRow("leave reason not string") << QByteArray(R"({"type":"leave","room":"a","reason":[]})")
                                             << ErrorCode::BadRequest << none;
}

void TestCodec::decodeErrors()
{
    QFETCH(QByteArray, frame);
    QFETCH(ErrorCode, code);
    QFETCH(QJsonValue, id);

    const auto decoded = decode(frame, Sender::Client);
    const auto *error = std::get_if<DecodeError>(&decoded);
    QVERIFY2(error, frame.left(200).constData());
    QCOMPARE(errorCodeName(error->code), errorCodeName(code));
    QVERIFY(!error->reason.isEmpty());
    QCOMPARE(error->id, id);
}

void TestCodec::reasonsSayWhere_data()
{
    QTest::addColumn<QByteArray>("frame");
    QTest::addColumn<int>("sender");
    QTest::addColumn<QString>("reason");

    QTest::newRow("top level") << QByteArray(R"({"type":"hello","nick":5})") << int(Sender::Client)
                               << u"field 'nick' must be a string"_s;
    QTest::newRow("not an object") << QByteArray(R"({"type":"hello","nick":"a","login":"alice"})")
                                   << int(Sender::Client) << u"field 'login' must be an object or null"_s;
    QTest::newRow("inside login") << QByteArray(R"({"type":"hello","nick":"a","login":{"account":"a","password":5}})")
                                  << int(Sender::Client) << u"in field 'login': field 'password' must be a string"_s;
    QTest::newRow("inside a message") << QByteArray(R"({"type":"updated","by":"b","message":{"room":"r","from":"b",)"
                                                    R"("text":"x","ts":1,"seq":2,"edited":true}})")
                                      << int(Sender::Server)
                                      << u"in field 'message': field 'edited' must be an integer or null"_s;
}

void TestCodec::reasonsSayWhere()
{
    QFETCH(QByteArray, frame);
    QFETCH(int, sender);
    QFETCH(QString, reason);

    const auto decoded = decode(frame, Sender(sender));
    const auto *error = std::get_if<DecodeError>(&decoded);
    QVERIFY(error);
    QCOMPARE(error->reason, reason);
}

void TestCodec::unknownFieldsIgnored()
{
    const auto decoded = decode(R"({"type":"join","room":"lobby","colour":"blue","extra":{"a":[1]}})", Sender::Client);
    const auto *envelope = std::get_if<Envelope>(&decoded);
    QVERIFY(envelope);
    QVERIFY(envelope->message == Message(Join{u"lobby"_s, std::nullopt}));
}

void TestCodec::nullOptionalIsAbsent()
{
    const auto decoded = decode(R"({"type":"hello","nick":"a","password":null,"id":null})", Sender::Client);
    const auto *envelope = std::get_if<Envelope>(&decoded);
    QVERIFY(envelope);
    QVERIFY(envelope->message == Message(Hello{u"a"_s, std::nullopt, std::nullopt, std::nullopt, std::nullopt}));
    QVERIFY(envelope->id.isNull());
}

QTEST_APPLESS_MAIN(TestCodec)
#include "tst_codec.moc"
