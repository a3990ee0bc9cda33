import QtQuick
import QtQuick.Layouts

// One component of the health report: its status, latency, version, whether Revenge runs it
// (managed) or connects to the user's server (external), the detail line and other facts.
Rectangle {
    id: card

    // {name, status, latencyMs, version, managed, detail, facts: [{label, value}]}
    property var info: ({})

    readonly property var titles: ({
        "database": qsTr("Database"),
        "cache": qsTr("Cache"),
        "search": qsTr("Search"),
        "jobs": qsTr("Jobs"),
        "http": qsTr("HTTP API")
    })
    readonly property var rows: {
        const c = card.info;
        let out = [];
        if (c.latencyMs > 0)
            out.push({ label: qsTr("Latency"), value: qsTr("%1 ms").arg(Number(c.latencyMs).toLocaleString(Qt.locale(), "f", 2)) });
        if (c.version)
            out.push({ label: qsTr("Version"), value: c.version });
        out.push({ label: qsTr("Mode"), value: c.managed ? qsTr("Run by Revenge") : qsTr("External (your server)") });
        for (const f of (c.facts || []))
            out.push(f);
        return out;
    }

    implicitWidth: 340
    implicitHeight: content.implicitHeight + 32
    radius: 10
    color: "#ffffff"
    border.color: "#e1e5eb"

    Rectangle {
        // the status stripe on the left edge
        width: 5
        height: parent.height - 2 * parent.radius
        anchors.verticalCenter: parent.verticalCenter
        anchors.left: parent.left
        anchors.leftMargin: 0
        radius: 2
        color: badge.tone
    }

    ColumnLayout {
        id: content
        anchors.fill: parent
        anchors.margins: 16
        anchors.leftMargin: 22
        spacing: 10

        RowLayout {
            Layout.fillWidth: true
            Text {
                Layout.fillWidth: true
                text: card.titles[card.info.name] || card.info.name
                font.pixelSize: 17
                font.bold: true
                color: "#1f2633"
                elide: Text.ElideRight
            }
            StatusBadge {
                id: badge
                status: card.info.status
            }
        }

        Text {
            Layout.fillWidth: true
            visible: text.length > 0
            text: card.info.detail || ""
            wrapMode: Text.Wrap
            font.pixelSize: 13
            color: "#374151"
        }

        Rectangle {
            Layout.fillWidth: true
            height: 1
            color: "#eef0f4"
        }

        GridLayout {
            Layout.fillWidth: true
            columns: 2
            columnSpacing: 12
            rowSpacing: 5

            Repeater {
                // label, value, label, value, ...: one cell per item of the two-column grid
                // (no Array.flatMap: Qt 6.4's JavaScript engine lacks it)
                model: card.rows.reduce((cells, r) => cells.concat([{ text: r.label, isLabel: true },
                                                                    { text: r.value, isLabel: false }]), [])

                Text {
                    required property var modelData
                    Layout.fillWidth: !modelData.isLabel
                    Layout.alignment: Qt.AlignTop
                    text: modelData.text
                    wrapMode: modelData.isLabel ? Text.NoWrap : Text.Wrap
                    font.pixelSize: 13
                    color: modelData.isLabel ? "#6b7280" : "#1f2633"
                }
            }
        }

        Item {
            Layout.fillHeight: true
        }
    }
}
