-- Reserved: this number belongs to a migration of its own; the placeholder keeps the numbering without gaps until it lands.
SELECT 1;
