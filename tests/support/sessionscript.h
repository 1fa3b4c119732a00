#pragma once

// What the scripted-server tests of the client core share (tst_sessionscript
// and tests/session/): frames as a server sends them, and a session talking
// to a ScriptedServer, welcomed as "me".

#include "chatsession.h"
#include "scriptedserver.h"
#include "serveraddress.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QObject>
#include <QTest>

#include <memory>

namespace SessionScript {

using namespace Qt::StringLiterals;


inline QJsonObject message(const QString &room, qint64 seq)
{
    return QJsonObject{{"type"_L1, "message"_L1}, {"room"_L1, room},     {"from"_L1, "bob"_L1},
                       {"text"_L1, u"m%1"_s.arg(seq)}, {"ts"_L1, 1000 + seq}, {"seq"_L1, seq}};
}

inline QJsonArray messages(const QString &room, qint64 from, qint64 to)
{
    QJsonArray out;
    for (qint64 seq = from; seq <= to; ++seq)
        out.append(message(room, seq));
    return out;
}

inline QJsonObject joined(const QString &room, const QJsonArray &history)
{
    return QJsonObject{{"type"_L1, "joined"_L1}, {"room"_L1, room},           {"topic"_L1, ""_L1},
                       {"members"_L1, QJsonArray{"me"_L1, "bob"_L1}}, {"history"_L1, history}};
}

inline QJsonObject welcomeFrame()
{
    return QJsonObject{{"type"_L1, "welcome"_L1}, {"nick"_L1, "me"_L1}, {"server"_L1, "scripted"_L1},
                       {"protocol"_L1, 1},        {"motd"_L1, ""_L1}};
}

inline QJsonObject page(const QString &room, const QJsonArray &history)
{
    return QJsonObject{{"type"_L1, "history_page"_L1}, {"room"_L1, room}, {"messages"_L1, history}};
}

inline QJsonObject error(const QString &code)
{
    return QJsonObject{{"type"_L1, "error"_L1}, {"code"_L1, code}, {"message"_L1, u"refused: %1"_s.arg(code)}};
}

// The seqs of the messages a conversation shows, in order.
inline QList<qint64> shown(Conversation *conversation)
{
    QList<qint64> out;
    for (const LogEntry &entry : conversation->log()->entries()) {
        if (entry.kind == LogEntry::Kind::Message)
            out.append(entry.seq);
    }
    return out;
}

inline QList<qint64> range(qint64 from, qint64 to)
{
    QList<qint64> out;
    for (qint64 seq = from; seq <= to; ++seq)
        out.append(seq);
    return out;
}


inline QJsonObject privateMessage(const QString &from, const QString &to, qint64 seq)
{
    return QJsonObject{{"type"_L1, "private"_L1}, {"from"_L1, from}, {"to"_L1, to}, {"text"_L1, u"p%1"_s.arg(seq)},
                       {"ts"_L1, 2000 + seq},     {"seq"_L1, seq}};
}

// A ChatSession and the scripted server it talks to (the session owns it).
class Fixture
{
public:
    Fixture()
        : server(new ScriptedServer)
        , session(new ChatSession(server))
    {
        session->setReconnectDelays(1, 4);
        session->setPingInterval(3'600'000);
    }
    ~Fixture() { delete session; }
    Fixture(const Fixture &) = delete;
    Fixture &operator=(const Fixture &) = delete;

    // Connects and is welcomed as "me"; joins `room` with `history` if given.
    Conversation *welcome(const QString &room = {}, const QJsonArray &history = {})
    {
        session->start(*ServerAddress::parse(u"tcp://chat.test:6667"_s), u"me"_s, {},
                       room.isEmpty() ? QStringList() : QStringList{room});
        server->accept();
        const QJsonObject hello = server->take(u"hello"_s);
        server->say(welcomeFrame(), hello);
        if (room.isEmpty())
            return nullptr;
        server->say(joined(room, history), server->take(u"join"_s));
        return session->room(room);
    }
    // Drops the connection and lets the client back in (welcome, rejoin).
    // False if the session did not try again.
    bool reconnect()
    {
        server->drop();
        if (!QTest::qWaitFor([this] { return server->isConnecting(); }, 5000))
            return false;
        server->accept();
        server->say(welcomeFrame(), server->take(u"hello"_s));
        return true;
    }

    ScriptedServer *server;
    ChatSession *session;
};

} // namespace SessionScript

// A test of a session feature: a fresh welcomed-to-be session and its
// scripted server for each test function.
class SessionTest : public QObject
{
    Q_OBJECT

protected slots:
    void init()
    {
        m_script = std::make_unique<SessionScript::Fixture>();
        m_server = m_script->server;
        m_session = m_script->session;
    }
    void cleanup() { m_script.reset(); }

protected:
    Conversation *welcome(const QString &room = {}, const QJsonArray &history = {})
    {
        return m_script->welcome(room, history);
    }
    bool reconnect() { return m_script->reconnect(); }

    std::unique_ptr<SessionScript::Fixture> m_script;
    ScriptedServer *m_server = nullptr;
    ChatSession *m_session = nullptr;
};
