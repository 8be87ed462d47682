package orm_test

import (
	"bytes"
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tagorm/orm"
)

// Every model of this file has an autoincrement ID, value fields named
// V... and nullable fields named P... (pointers, sql.Null*). The test
// writes a row with every field set and reads it back, then a row with
// every nullable field NULL (checked in the database with IS NULL).
//
// Times: a time.Time is stored as an instant. Whatever its zone when
// written, it reads back as the same instant (time.Equal) in UTC, with
// microsecond precision, on all three databases (README: "Time zones").

type TyInt struct {
	ID  int64
	V8  int8
	V16 int16
	V32 int32
	V64 int64
	VI  int
	P8  *int8
	P16 *int16
	P32 *int32
	P64 *int64
}

type TyUint struct {
	ID  int64
	V8  uint8
	V16 uint16
	V32 uint32
	P8  *uint8
	P16 *uint16
	P32 *uint32
}

type TyFloat struct {
	ID    int64
	V32   float32
	V64   float64
	VNeg  float64
	VTiny float64
	P32   *float32
	P64   *float64
}

type TyDecimal struct {
	ID   int64
	VStr string   `orm:"type:decimal(10,2)"`
	VF   float64  `orm:"type:decimal(10,2)"`
	VNum string   `orm:"type:numeric(18,4)"`
	PStr *string  `orm:"type:decimal(10,2)"`
	PF   *float64 `orm:"type:decimal(10,2)"`
}

type TyString struct {
	ID      int64
	VSized  string `orm:"size:50"`
	VEmpty  string `orm:"size:10"`
	VQuote  string `orm:"size:50"`
	VEmoji  string `orm:"size:20"`
	VCJK    string `orm:"size:20"`
	VText   string `orm:"type:text"`
	VLarge  string `orm:"type:text"`
	PSized  *string
	PText   *string `orm:"type:text"`
	VNullOK string  `orm:"null"` // a value type in a nullable column
}

type TyBool struct {
	ID int64
	VT bool
	VF bool
	PT *bool
}

type TyTime struct {
	ID     int64
	VDate  time.Time `orm:"type:date"`
	VTime  time.Time
	VZone  time.Time
	VMilli time.Time  `orm:"precision:3"`
	PDate  *time.Time `orm:"type:date"`
	PTime  *time.Time
}

type TyBinary struct {
	ID     int64
	VSmall []byte `orm:"not null"`
	VLarge []byte `orm:"not null"`
	VSized []byte `orm:"size:16;not null"`
	PBytes []byte
}

type TyDoc struct {
	Name string   `json:"name"`
	Tags []string `json:"tags"`
	N    int      `json:"n"`
}

type TyJSON struct {
	ID     int64
	VMap   map[string]any `orm:"json"`
	VDoc   TyDoc          `orm:"json"`
	VSlice []int          `orm:"json"`
	VRaw   json.RawMessage
	VTyped TyDoc          `orm:"type:json"`
	PDoc   *TyDoc         `orm:"json"`
	PMap   map[string]any `orm:"json"`
}

// UUID is a [16]byte UUID type, as github.com/google/uuid declares it
// (without its Scanner/Valuer, so that the ORM's own handling is tested).
type UUID [16]byte

type TyUUID struct {
	ID    int64
	V     UUID
	VStr  string `orm:"type:uuid"`
	P     *UUID
	PStr  *string `orm:"type:uuid"`
	VZero UUID
}

// Mood is an enum through the Enumer interface.
type Mood string

func (Mood) EnumValues() []string { return []string{"happy", "sad", "it's complicated"} }

type TyEnum struct {
	ID    int64
	VTag  string `orm:"enum:a,b,c"`
	VMood Mood
	PMood *Mood
	PTag  *string `orm:"enum:x,y"`
}

type TyNull struct {
	ID    int64
	PStr  sql.NullString
	PInt  sql.NullInt64
	PTime sql.Null[time.Time]
	PF    sql.NullFloat64
	PBool sql.NullBool
	PGen  sql.Null[string] `orm:"size:30"`
}

// Point is a custom type stored as text through sql.Scanner and
// driver.Valuer.
type Point struct{ X, Y float64 }

func (p Point) Value() (driver.Value, error) { return fmt.Sprintf("(%g,%g)", p.X, p.Y), nil }

func (p *Point) Scan(src any) error {
	var s string
	switch v := src.(type) {
	case string:
		s = v
	case []byte:
		s = string(v)
	default:
		return fmt.Errorf("point: cannot scan %T", src)
	}
	_, err := fmt.Sscanf(s, "(%g,%g)", &p.X, &p.Y)
	return err
}

type TyCustom struct {
	ID int64
	V  Point  `orm:"type:varchar(100)"`
	P  *Point `orm:"type:text"`
}

func mustZone(name string, offset int) *time.Location { return time.FixedZone(name, offset) }

func ptr[T any](v T) *T { return &v }

func typeCases() []any {
	kolkata := mustZone("IST", 5*3600+1800)
	ny := mustZone("EST", -5*3600)
	largeText := strings.Repeat("0123456789abcdef", 1<<16) // 1 MiB
	large := make([]byte, 1<<20)
	for i := range large {
		large[i] = byte(i * 7) // includes 0x00
	}
	zeroMood := Mood("it's complicated")
	return []any{
		&TyInt{V8: math.MinInt8, V16: math.MinInt16, V32: math.MinInt32, V64: math.MinInt64, VI: math.MaxInt64,
			P8: ptr[int8](math.MaxInt8), P16: ptr[int16](math.MaxInt16), P32: ptr[int32](math.MaxInt32), P64: ptr[int64](math.MaxInt64)},
		&TyUint{V8: math.MaxUint8, V16: math.MaxUint16, V32: math.MaxUint32,
			P8: ptr[uint8](1), P16: ptr[uint16](2), P32: ptr[uint32](math.MaxUint32)},
		&TyFloat{V32: float32(math.Pi), V64: math.Pi, VNeg: -1.5e300, VTiny: 5e-300, P32: ptr[float32](-0.25), P64: ptr(math.E)},
		&TyDecimal{VStr: "12345678.90", VF: 12.34, VNum: "-12345678901.2345", PStr: ptr("0.05"), PF: ptr(-99999999.99)},
		&TyString{VSized: "hello", VQuote: `it's "quoted" \ back; -- not sql`, VEmoji: "🎉👍🏽 done", VCJK: "漢字かなカナ한국어",
			VText: "line1\nline2\ttab", VLarge: largeText, PSized: ptr(""), PText: ptr("x"), VNullOK: "v"},
		&TyBool{VT: true, VF: false, PT: ptr(false)},
		&TyTime{
			VDate:  time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC),
			VTime:  time.Date(2024, 3, 10, 12, 34, 56, 123456000, time.UTC),
			VZone:  time.Date(2024, 3, 10, 23, 59, 59, 999999000, kolkata), // another day in UTC
			VMilli: time.Date(1999, 12, 31, 23, 59, 59, 123000000, ny),
			PDate:  ptr(time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)),
			PTime:  ptr(time.Date(2038, 1, 19, 3, 14, 8, 1000, ny)),
		},
		&TyBinary{VSmall: []byte{0, 1, 2, 0, 255}, VLarge: large, VSized: []byte{0, 0, 0, 0xff}, PBytes: []byte{0}},
		&TyJSON{
			VMap:   map[string]any{"a": 1.5, "b": "x", "nested": map[string]any{"c": []any{true, nil, "é"}}},
			VDoc:   TyDoc{Name: "n", Tags: []string{"t1", "t2"}, N: 42},
			VSlice: []int{3, 1, 2},
			VRaw:   json.RawMessage(`{"k": [1, 2, 3]}`),
			VTyped: TyDoc{Name: "typed"},
			PDoc:   &TyDoc{Name: "p"},
			PMap:   map[string]any{},
		},
		&TyUUID{V: UUID{0x12, 0x3e, 0x45, 0x67, 0xe8, 0x9b, 0x12, 0xd3, 0xa4, 0x56, 0x42, 0x66, 0x14, 0x17, 0x40, 0x00},
			VStr: "550e8400-e29b-41d4-a716-446655440000", P: &UUID{15: 1}, PStr: ptr(orm.NewUUID())},
		&TyEnum{VTag: "b", VMood: "sad", PMood: &zeroMood, PTag: ptr("y")},
		&TyNull{
			PStr:  sql.NullString{String: "s", Valid: true},
			PInt:  sql.NullInt64{Int64: -7, Valid: true},
			PTime: sql.Null[time.Time]{V: time.Date(2020, 5, 6, 7, 8, 9, 10000, kolkata), Valid: true},
			PF:    sql.NullFloat64{Float64: 0.5, Valid: true},
			PBool: sql.NullBool{Bool: true, Valid: true},
			PGen:  sql.Null[string]{V: "generic", Valid: true},
		},
		&TyCustom{V: Point{1.5, -2}, P: &Point{0, 3.25}},
	}
}

func TestTypesRoundTrip(t *testing.T) {
	eachDB(t, typeCases(), func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		for _, c := range typeCases() {
			in := reflect.ValueOf(c).Elem()
			t.Run(in.Type().Name(), func(t *testing.T) {
				// A row with every field set.
				require.NoError(t, db.Insert(ctx, c))
				out := reflect.New(in.Type())
				require.NoError(t, db.Get(ctx, out.Interface(), in.FieldByName("ID").Int()))
				assertSameRow(t, in, out.Elem())

				// The same row with every nullable field NULL.
				nulls := reflect.New(in.Type())
				nulls.Elem().Set(in)
				nulls.Elem().FieldByName("ID").SetInt(0)
				var nullCols []string
				for i := 0; i < in.NumField(); i++ {
					sf := in.Type().Field(i)
					if strings.HasPrefix(sf.Name, "P") {
						nulls.Elem().Field(i).SetZero()
						nullCols = append(nullCols, orm.ToSnake(sf.Name))
					}
				}
				require.NoError(t, db.Insert(ctx, nulls.Interface()))
				id := nulls.Elem().FieldByName("ID").Int()
				out = reflect.New(in.Type())
				require.NoError(t, db.Get(ctx, out.Interface(), id))
				assertSameRow(t, nulls.Elem(), out.Elem())
				d := db.Dialect()
				for _, col := range nullCols {
					var n int
					q := fmt.Sprintf("SELECT COUNT(*) FROM %s WHERE %s = %s AND %s IS NULL",
						d.Quote(orm.ToSnake(in.Type().Name())), d.Quote("id"), d.Placeholder(1), d.Quote(col))
					require.NoError(t, db.DB().QueryRowContext(ctx, q, id).Scan(&n))
					assert.Equal(t, 1, n, "column %s should be NULL", col)
				}
			})
		}
	})
}

// assertSameRow compares two struct values field by field: times with
// time.Equal (and read-back times must be in UTC), JSON documents by
// meaning, everything else exactly.
func assertSameRow(t *testing.T, want, got reflect.Value) {
	t.Helper()
	for i := 0; i < want.NumField(); i++ {
		name := want.Type().Field(i).Name
		if !sameValue(t, name, want.Field(i), got.Field(i)) {
			t.Errorf("field %s: wrote %s, read %s", name, show(want.Field(i)), show(got.Field(i)))
		}
	}
}

func show(v reflect.Value) string {
	s := fmt.Sprintf("%#v", v.Interface())
	if len(s) > 200 {
		s = s[:200] + fmt.Sprintf("... (%d chars)", len(s))
	}
	return s
}

var (
	timeType = reflect.TypeFor[time.Time]()
	rawType  = reflect.TypeFor[json.RawMessage]()
)

func sameValue(t *testing.T, name string, w, g reflect.Value) bool {
	t.Helper()
	switch {
	case w.Type() == timeType:
		wt, gt := w.Interface().(time.Time), g.Interface().(time.Time)
		if !gt.IsZero() && gt.Location() != time.UTC {
			t.Errorf("field %s: read %v, want a time in UTC", name, gt)
		}
		return wt.Equal(gt)
	case w.Type() == rawType:
		if w.IsNil() || g.IsNil() {
			return w.IsNil() == g.IsNil()
		}
		var a, b any
		return json.Unmarshal(w.Bytes(), &a) == nil && json.Unmarshal(g.Bytes(), &b) == nil && reflect.DeepEqual(a, b)
	case w.Kind() == reflect.Pointer:
		if w.IsNil() || g.IsNil() {
			return w.IsNil() == g.IsNil()
		}
		return sameValue(t, name, w.Elem(), g.Elem())
	case w.Kind() == reflect.Struct:
		for i := 0; i < w.NumField(); i++ {
			if !w.Type().Field(i).IsExported() {
				continue
			}
			if !sameValue(t, name+"."+w.Type().Field(i).Name, w.Field(i), g.Field(i)) {
				return false
			}
		}
		return true
	case w.Kind() == reflect.Slice && w.Type().Elem().Kind() == reflect.Uint8:
		if w.IsNil() != g.IsNil() {
			return false
		}
		return bytes.Equal(w.Bytes(), g.Bytes())
	}
	return reflect.DeepEqual(w.Interface(), g.Interface())
}
