package orm

import (
	"fmt"

	"github.com/tagorm/orm/schema"
	"reflect"
)

// relationKind is the kind of a declared relationship.
type relationKind int

const (
	hasOne relationKind = iota + 1
	hasMany
	belongsTo
	manyToMany
)

// relationDecl is a relationship as declared by a field's tag, before it
// is resolved against the other model. Loading and saving relationships
// build on it.
type relationDecl struct {
	kind      relationKind
	field     string // Go field path
	index     []int
	typ       reflect.Type // the field's type ([]T, []*T, T or *T)
	elem      reflect.Type // the related struct type
	joinTable string       // many_to_many:<table>
	foreignKey,
	references,
	backPopulates,
	joinForeignKey,
	joinReferences string
}

// parseRelation reads a relationship field's tag.
func parseRelation(b *builder, sf reflect.StructField, name string, idx []int, opts []tagOption) (*relationDecl, error) {
	r := &relationDecl{field: name, index: idx, typ: sf.Type, elem: structType(sf.Type)}
	if r.elem == nil {
		return nil, b.errf(name, "", "a relationship field must be a struct, a pointer to one, or a slice of them, not %s", sf.Type)
	}
	isSlice := derefType(sf.Type).Kind() == reflect.Slice
	for _, o := range opts {
		switch o.Key {
		case "has_one", "belongs_to":
			if isSlice {
				return nil, b.errf(name, o.Key, "%s needs a struct or pointer field, not a slice (use has_many)", o.Key)
			}
			r.kind = hasOne
			if o.Key == "belongs_to" {
				r.kind = belongsTo
			}
		case "has_many":
			if !isSlice {
				return nil, b.errf(name, o.Key, "has_many needs a slice field, not %s", sf.Type)
			}
			r.kind = hasMany
		case "many_to_many":
			if !isSlice {
				return nil, b.errf(name, o.Key, "many_to_many needs a slice field, not %s", sf.Type)
			}
			if o.Value == "" {
				return nil, b.errf(name, o.Key, "many_to_many needs the join table: many_to_many:<table>")
			}
			r.kind, r.joinTable = manyToMany, o.Value
		case "foreign_key":
			r.foreignKey = o.Value
		case "references":
			r.references = o.Value
		case "back_populates":
			r.backPopulates = o.Value
		case "join_foreign_key":
			r.joinForeignKey = o.Value
		case "join_references":
			r.joinReferences = o.Value
		default:
			return nil, b.errf(name, o.Key, "option %q is not valid on a relationship field", o.Key)
		}
	}
	return r, nil
}

// resolveRelations checks the relationships of the models in owners: the
// related type must be a valid model.
func (db *DB) resolveRelations(owners map[string]*model, md *schema.MetaData) error {
	for _, m := range owners {
		for _, r := range m.relations {
			if _, err := db.mapper.modelOf(r.elem); err != nil {
				return &ModelError{Struct: m.typ.String(), Field: r.field, Err: fmt.Errorf("related model %s: %w", r.elem, err)}
			}
		}
	}
	_ = md
	return nil
}
