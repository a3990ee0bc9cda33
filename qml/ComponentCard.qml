pragma ComponentBehavior: Bound

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

        // Label and value side by side, in a Grid positioner rather than a GridLayout: on Qt 6.4
        // a Repeater directly in a Quick Layout whose model changes can make the layout read a
        // freed delegate. The labels keep their width; the values take the rest and wrap.
        Grid {
            id: facts

            // the widest label: the width of the first column
            readonly property real labelWidth: {
                facts.revision;
                let w = 0;
                for (let i = 0; i < factRepeater.count; i += 2) {
                    const item = factRepeater.itemAt(i);
                    if (item)
                        w = Math.max(w, item.implicitWidth);
                }
                return Math.ceil(w); // whole pixels, as the GridLayout gave the column
            }
            // bumped when a cell comes or goes, so that labelWidth reads the labels again
            property int revision: 0

            Layout.fillWidth: true
            columns: 2
            columnSpacing: 12
            rowSpacing: 5

            Repeater {
                id: factRepeater

                // label, value, label, value, ...: two cells per row, counted rather than listed so
                // that a refresh updates the cells in place
                model: card.rows.length * 2
                onItemAdded: facts.revision++
                onItemRemoved: facts.revision++

                Text {
                    required property int index
                    readonly property bool isLabel: index % 2 === 0
                    readonly property var row: card.rows[Math.floor(index / 2)] || ({})

                    width: isLabel ? facts.labelWidth : Math.max(0, facts.width - facts.labelWidth - facts.columnSpacing)
                    text: (isLabel ? row.label : row.value) || ""
                    wrapMode: isLabel ? Text.NoWrap : Text.Wrap
                    font.pixelSize: 13
                    color: isLabel ? "#6b7280" : "#1f2633"
                }
            }
        }

        Item {
            Layout.fillHeight: true
        }
    }
}
