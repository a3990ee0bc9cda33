import QtQuick
import QtQuick.Controls.Basic
import QtQuick.Layouts

// One job running on this instance: what it is, how long it has run and its progress
// (current/total, phase and message as its worker reports them), with a Cancel button.
Item {
    id: row

    // {id, kind, queue, attempt, startedAt, phase, current, total, message}
    property var job: ({})
    property bool busy: false
    property bool first: false
    // Date.now() of the page's one-second clock, for the elapsed time.
    property real now: Date.now()

    signal cancelRequested()

    readonly property bool determinate: job.total > 0
    readonly property real fraction: determinate ? Math.min(1, job.current / job.total) : 0
    readonly property string elapsed: {
        if (!job.startedAt || isNaN(job.startedAt))
            return "";
        const s = Math.max(0, Math.floor((row.now - job.startedAt.getTime()) / 1000));
        if (s < 60)
            return qsTr("%1 s").arg(s);
        if (s < 3600)
            return qsTr("%1 min %2 s").arg(Math.floor(s / 60)).arg(s % 60);
        return qsTr("%1 h %2 min").arg(Math.floor(s / 3600)).arg(Math.floor(s % 3600 / 60));
    }

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
                    text: row.job.kind || ""
                    font.pixelSize: 14
                    font.bold: true
                    color: "#1f2633"
                    elide: Text.ElideRight
                    Layout.maximumWidth: 280
                }
                Text {
                    text: qsTr("#%1").arg(row.job.id)
                    font.pixelSize: 12
                    color: "#6b7280"
                }
                QueueTag {
                    name: row.job.queue || ""
                }
                Item {
                    Layout.fillWidth: true
                }
                Text {
                    text: {
                        let parts = [];
                        if (row.job.attempt > 0)
                            parts.push(qsTr("attempt %1").arg(row.job.attempt));
                        if (row.elapsed)
                            parts.push(qsTr("running for %1").arg(row.elapsed));
                        return parts.join(" · ");
                    }
                    font.pixelSize: 12
                    color: "#6b7280"
                }
            }

            ProgressBar {
                id: bar
                Layout.fillWidth: true
                from: 0
                to: 1
                value: row.fraction
                indeterminate: !row.determinate

                background: Rectangle {
                    implicitHeight: 8
                    radius: 4
                    color: "#e6e9ef"
                }
                contentItem: Item {
                    implicitHeight: 8
                    clip: true

                    Rectangle {
                        // determinate: the done part
                        visible: !bar.indeterminate
                        width: bar.visualPosition * parent.width
                        height: parent.height
                        radius: 4
                        color: "#4a6cf0"
                    }
                    Rectangle {
                        // indeterminate: a block sweeping across
                        visible: bar.indeterminate
                        width: parent.width * 0.25
                        height: parent.height
                        radius: 4
                        color: "#8fa6f6"
                        NumberAnimation on x {
                            running: bar.indeterminate && bar.visible
                            loops: Animation.Infinite
                            from: -bar.width * 0.25
                            to: bar.width
                            duration: 1400
                        }
                    }
                }
            }

            RowLayout {
                Layout.fillWidth: true
                spacing: 8

                Text {
                    visible: text.length > 0
                    text: row.job.phase || ""
                    font.pixelSize: 12
                    font.bold: true
                    color: "#374151"
                }
                Text {
                    Layout.fillWidth: true
                    text: row.job.message || (row.job.phase ? "" : qsTr("No progress reported"))
                    font.pixelSize: 12
                    color: "#6b7280"
                    elide: Text.ElideRight
                }
                Text {
                    visible: row.determinate
                    text: qsTr("%1 of %2 (%3%)")
                          .arg(Number(row.job.current).toLocaleString(Qt.locale(), "f", 0))
                          .arg(Number(row.job.total).toLocaleString(Qt.locale(), "f", 0))
                          .arg(Math.floor(row.fraction * 100))
                    font.pixelSize: 12
                    color: "#374151"
                }
            }
        }

        ActionButton {
            text: qsTr("Cancel")
            tone: "#d13a32"
            busy: row.busy
            onClicked: row.cancelRequested()
        }
    }
}
