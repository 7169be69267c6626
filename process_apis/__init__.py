"""Business flows composed from system APIs; they see ERPs only through the ErpAdapter port."""
