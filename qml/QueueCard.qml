pragma ComponentBehavior: Bound

import QtQuick
import QtQuick.Layouts

// One job queue: its workers on this instance, its jobs by state (the whole cluster) and a
// Pause/Resume button (pausing stops every instance from starting the queue's jobs).
Rectangle {
    id: card

    // {name, workers, running, paused, pausedAt, configured, total,
    //  counts: {available, running, scheduled, retryable, completed, cancelled, discarded}}
    property var queue: ({})
    property bool busy: false

    signal pauseRequested()
    signal resumeRequested()

    readonly property var counts: queue.counts || ({})
    readonly property int workers: queue.workers || 0
    readonly property int running: queue.running || 0
    readonly property var states: [
        { key: "available", label: qsTr("Available"), tone: "#4a6cf0" },
        { key: "running", label: qsTr("Running"), tone: "#23974a" },
        { key: "scheduled", label: qsTr("Scheduled"), tone: "#6d5bd0" },
        { key: "retryable", label: qsTr("Retryable"), tone: "#c97d00" },
        { key: "completed", label: qsTr("Completed"), tone: "#0f766e" },
        { key: "cancelled", label: qsTr("Cancelled"), tone: "#6b7280" },
        { key: "discarded", label: qsTr("Discarded"), tone: "#d13a32" }
    ]

    implicitWidth: 340
    implicitHeight: content.implicitHeight + 32
    radius: 10
    color: "#ffffff"
    border.color: "#e1e5eb"

    Rectangle {
        // the stripe on the left edge: amber when paused, green while jobs run
        width: 5
        height: parent.height - 2 * parent.radius
        anchors.verticalCenter: parent.verticalCenter
        anchors.left: parent.left
        radius: 2
        color: card.queue.paused ? "#c97d00" : card.running > 0 ? "#23974a" : "#c5cbd5"
    }

    ColumnLayout {
        id: content
        anchors.fill: parent
        anchors.margins: 16
        anchors.leftMargin: 22
        spacing: 10

        RowLayout {
            Layout.fillWidth: true
            spacing: 10

            Text {
                text: card.queue.name || ""
                font.pixelSize: 17
                font.bold: true
                color: "#1f2633"
                elide: Text.ElideRight
                Layout.maximumWidth: 150
            }
            StatusBadge {
                visible: !!card.queue.paused
                status: "paused"
            }
            Item {
                Layout.fillWidth: true
            }
            ActionButton {
                text: card.queue.paused ? qsTr("Resume") : qsTr("Pause")
                tone: card.queue.paused ? "#23974a" : "#c97d00"
                busy: card.busy
                onClicked: card.queue.paused ? card.resumeRequested() : card.pauseRequested()
            }
        }

        RowLayout {
            Layout.fillWidth: true
            spacing: 10

            Text {
                text: card.queue.configured
                      ? qsTr("%1 of %2 workers busy").arg(card.running).arg(card.workers)
                      : qsTr("Not worked by this instance")
                font.pixelSize: 13
                color: "#374151"
            }
            Flow {
                // one slot per worker, filled while it runs a job
                Layout.fillWidth: true
                Layout.alignment: Qt.AlignVCenter
                visible: card.queue.configured && card.workers <= 24
                spacing: 3
                Repeater {
                    model: card.queue.configured ? Math.min(card.workers, 24) : 0
                    Rectangle {
                        required property int index
                        width: 10
                        height: 10
                        radius: 3
                        color: index < card.running ? "#23974a" : "#e6e9ef"
                    }
                }
            }
        }

        Text {
            Layout.fillWidth: true
            visible: !!card.queue.paused
            wrapMode: Text.Wrap
            text: card.queue.pausedAt && !isNaN(card.queue.pausedAt)
                  ? qsTr("Paused since %1: no instance starts new jobs from this queue.")
                    .arg(Qt.formatDateTime(card.queue.pausedAt, "dd MMM hh:mm"))
                  : qsTr("Paused: no instance starts new jobs from this queue.")
            font.pixelSize: 12
            color: "#8a5a00"
        }

        Rectangle {
            Layout.fillWidth: true
            height: 1
            color: "#eef0f4"
        }

        Flow {
            Layout.fillWidth: true
            spacing: 6

            Repeater {
                model: card.states

                CountChip {
                    required property var modelData
                    label: modelData.label
                    tone: modelData.tone
                    count: card.counts[modelData.key] || 0
                }
            }
        }

        Item {
            Layout.fillHeight: true
        }
    }
}
