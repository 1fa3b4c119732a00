#pragma once

#include "messages.h"

#include <QDialog>

class QLineEdit;
class QTableWidget;

// The rooms on the server with their member counts and topics; join one by
// double-clicking it, or type a new name to create a room.
class RoomBrowser final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RoomBrowser)

public:
    explicit RoomBrowser(QWidget *parent = nullptr);

    void setRooms(const QList<Confab::Protocol::RoomInfo> &rooms);
    QTableWidget *table() const { return m_table; }

signals:
    void joinRequested(const QString &room);
    void refreshRequested();

private:
    void joinSelected();

    QLineEdit *m_name;
    QTableWidget *m_table;
};
