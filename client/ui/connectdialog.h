#pragma once

#include "connectionsupervisor.h"
#include "serveraddress.h"

#include <QDialog>

class QCheckBox;
class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTreeView;
class ServerFinder;

// Asks where to connect and as whom. The servers used before are offered
// again (from QSettings). The dialog stays open while connecting, so that a
// refused nick or an unreachable server is shown right where it can be fixed.
class ConnectDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConnectDialog)

public:
    explicit ConnectDialog(QWidget *parent = nullptr);

    void setServer(const QString &server);
    void setNick(const QString &nick);
    // Shows a problem and what to do about it; enables the form again.
    void showProblem(ConnectionSupervisor::LoginFailure failure, const QString &message);
    void setBusy(bool busy);
    void requestHosting();
    QString password() const;

    // What to do about an account (protocol section 12). The account is
    // named after the nickname.
    enum class AccountMode { Guest, LogIn, Register };
    AccountMode accountMode() const;
    void setAccountMode(AccountMode mode);
    QString accountPassword() const;
    void setAccountPassword(const QString &password);
    bool rememberPassword() const;
    void setRememberPassword(bool remember);

    // Servers on this network (section 14 of the protocol), found when the
    // user asks.
    ServerFinder *finder() const { return m_finder; }
    QTreeView *foundServers() const { return m_found; }
    void lookForServers();
    // The certificate fingerprint the chosen server announced on the LAN
    // (empty when it was typed, or announced none).
    QString announcedFingerprint() const { return m_announcedFingerprint; }

signals:
    void connectRequested(const ServerAddress &address, const QString &nick, const QString &password);
    // "Host on This Computer": run a server here and join it as `nick`.
    void hostRequested(const QString &nick);

private:
    void tryConnect();
    void updateAccountFields();
    // The account remembered for the server now chosen, and its password
    // from the keyring if the user kept it there.
    void recallAccount();

    QComboBox *m_server;
    QLineEdit *m_nick;
    QLineEdit *m_password;
    QCheckBox *m_tls;
    QComboBox *m_accountMode;
    QLineEdit *m_accountPassword;
    QCheckBox *m_rememberPassword;
    class PasswordStore *m_passwords;
    ServerFinder *m_finder;
    QTreeView *m_found;
    QPushButton *m_look;
    QCheckBox *m_lookOnOpen;
    QLabel *m_lookStatus;
    QString m_announcedFingerprint;
    QLabel *m_problem;
    QDialogButtonBox *m_buttons;
};
