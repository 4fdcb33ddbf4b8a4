"""The purchase-order procedure (seed 000) around its rules: inbound mail, senders, records, replies."""
