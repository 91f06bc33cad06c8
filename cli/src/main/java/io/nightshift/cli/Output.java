package io.nightshift.cli;

/** How client commands print their result: aligned plain-text columns, or the JSON document. */
public enum Output {
    TABLE, JSON
}
