#pragma once

#include "chatsession.h"
#include "serveraddress.h"

#include <QObject>
#include <QPointer>
#include <QStringList>

#include <memory>
#include <optional>

class ChatSession;
#include "connectdialog.h"
class MainWindow;

// Gets the user connected: from the command line, or through the connect
// dialog, asking about untrusted certificates on the way. Owns the session
// and the main window.
class Launcher final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Launcher)

public:
    explicit Launcher(QObject *parent = nullptr);
    ~Launcher() override;

    // Shows the connect dialog.
    void showDialog(std::optional<ChatSession::LoginFailure> failure = {}, const QString &problem = {});
    // Connects straight away (command line); the dialog comes up only if it fails.
    void connectTo(const ServerAddress &address, const QString &nick, const QString &password,
                   const QStringList &rooms);

    ChatSession *session() const { return m_session; }
    // Hosting: the server this program runs for others (null when none).
    class ServerThread *hostedServer() const { return m_host; }
    void host(const QString &nick);
    // What a hosted server is started with (tests set free ports here).
    void setHostingConfig(const struct ServerConfig &config);
    MainWindow *window() const { return m_window; }
    // --inspect: the frame inspector is open from the first frame (hello).
    void setInspecting(bool inspecting) { m_inspecting = inspecting; }
    ConnectDialog *dialog() const { return m_dialog; }

private:
    void start();
    void online();
    void failed(ChatSession::LoginFailure failure, const QString &message);
    void askTrust(const QString &fingerprint, const QString &subject, const QString &problem);
    void loggedIn(const QString &account);
    MainWindow *ensureWindow();

    ChatSession *m_session;
    MainWindow *m_window = nullptr;
    QPointer<ConnectDialog> m_dialog;
    ServerAddress m_address;
    QString m_nick;
    QString m_password;
    QStringList m_rooms;
    ConnectDialog::AccountMode m_accountMode = ConnectDialog::AccountMode::Guest;
    QString m_accountPassword;
    bool m_rememberPassword = false;
    class PasswordStore *m_passwords;
    class ServerThread *m_host = nullptr;
    bool m_inspecting = false;
    std::unique_ptr<struct ServerConfig> m_hostConfig;
    bool m_hostRetried = false;
    bool m_roomsFromCommandLine = false;
};
