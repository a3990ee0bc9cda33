import QtQuick
import QtQuick.Layouts

// One failed attempt: the job, its state now, when and what failed, and a Retry button while
// the job can be made available again.
Item {
    id: row

    // {id, kind, queue, state, attempt, at, error}
    property var entry: ({})
    property bool busy: false
    property bool first: false

    signal retryRequested()

    // Running, available and completed jobs need no retry.
    readonly property bool canRetry: ["retryable", "scheduled", "discarded", "cancelled"].indexOf(entry.state) >= 0

    implicitHeight: content.implicitHeight + 24

    Rectangle {
        visible: !row.first
        anchors.top: parent.top
        anchors.left: parent.left
        anchors.right: parent.right
        height: 1
        color: "#eef0f4"
    }

    RowLayout {
        id: content
        anchors.left: parent.left
        anchors.right: parent.right
        anchors.verticalCenter: parent.verticalCenter
        anchors.leftMargin: 16
        anchors.rightMargin: 16
        spacing: 16

        ColumnLayout {
            Layout.fillWidth: true
            spacing: 6

            RowLayout {
                Layout.fillWidth: true
                spacing: 8

                Text {
                    text: row.entry.kind || ""
                    font.pixelSize: 14
                    font.bold: true
                    color: "#1f2633"
                    elide: Text.ElideRight
                    Layout.maximumWidth: 280
                }
                Text {
                    text: qsTr("#%1").arg(row.entry.id)
                    font.pixelSize: 12
                    color: "#6b7280"
                }
                QueueTag {
                    name: row.entry.queue || ""
                }
                StatusBadge {
                    status: row.entry.state || ""
                }
                Item {
                    Layout.fillWidth: true
                }
                Text {
                    text: {
                        let parts = [qsTr("attempt %1").arg(row.entry.attempt)];
                        if (row.entry.at && !isNaN(row.entry.at))
                            parts.push(Qt.formatDateTime(row.entry.at, "dd MMM hh:mm:ss"));
                        return parts.join(" · ");
                    }
                    font.pixelSize: 12
                    color: "#6b7280"
                }
            }

            Text {
                Layout.fillWidth: true
                text: row.entry.error || ""
                wrapMode: Text.Wrap
                maximumLineCount: 3
                elide: Text.ElideRight
                font.pixelSize: 12
                font.family: "monospace"
                color: "#9b2c24"
            }
        }

        ActionButton {
            visible: row.canRetry
            text: qsTr("Retry")
            tone: "#4a6cf0"
            busy: row.busy
            onClicked: row.retryRequested()
        }
    }
}
