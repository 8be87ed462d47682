package orm_test

import (
	"context"
	"math"
	"math/big"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tagorm/orm"
	"github.com/tagorm/orm/internal/dbtest"
)

// Reading is a model with columns that cannot hold every Go value.
type Reading struct {
	ID     int64
	Label  string  `orm:"size:20;unique"`
	Price  float64 `orm:"precision:10;scale:2"` // decimal(10,2)
	Amount string  `orm:"type:decimal(8,3)"`
	Ratio  float64 // double
	Big    uint64  // bigint (unsigned on MySQL)
}

// A value is either stored as written (and read back equal) or refused
// before anything is sent, with an error naming the model, column and
// value: on Insert, bulk Insert, Update, Upsert and UpdateColumns.
func TestValuesFitTheirColumns(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, tdb *dbtest.DB) {
		ctx := context.Background()
		db := openTest(t, tdb, nil)
		require.NoError(t, orm.AutoMigrate(db, &Reading{}))
		base := Reading{Label: "base", Price: 1.5, Amount: "2.250"}
		require.NoError(t, db.Insert(ctx, &base))
		float := tdb.Name == "postgres" // float specials round-trip
		unsigned := tdb.Name == "mysql" // BIGINT UNSIGNED

		bad := []struct {
			name, column string
			set          func(r *Reading)
			fits         bool
		}{
			{"decimal fraction digits", "price", func(r *Reading) { r.Price = 1.005 }, false},
			{"decimal integer digits", "price", func(r *Reading) { r.Price = 123456789.5 }, false},
			{"decimal NaN", "price", func(r *Reading) { r.Price = math.NaN() }, false},
			{"decimal string fraction digits", "amount", func(r *Reading) { r.Amount = "1.2345" }, false},
			{"decimal string exponent", "amount", func(r *Reading) { r.Amount = "1.23456e1" }, false},
			{"decimal string integer digits", "amount", func(r *Reading) { r.Amount = "123456" }, false},
			{"double NaN", "ratio", func(r *Reading) { r.Ratio = math.NaN() }, float},
			{"double +Inf", "ratio", func(r *Reading) { r.Ratio = math.Inf(1) }, float},
			{"double -Inf", "ratio", func(r *Reading) { r.Ratio = math.Inf(-1) }, float},
			{"uint64 2^63", "big", func(r *Reading) { r.Big = 1 << 63 }, unsigned},
			{"uint64 max", "big", func(r *Reading) { r.Big = math.MaxUint64 }, unsigned},
		}
		for _, tc := range bad {
			t.Run(tc.name, func(t *testing.T) {
				check := func(what string, err error) {
					t.Helper()
					if tc.fits {
						require.NoError(t, err, what)
						return
					}
					require.ErrorIs(t, err, orm.ErrValueOutOfRange, what)
					require.ErrorContains(t, err, "Reading", what)
					require.ErrorContains(t, err, "reading."+tc.column, what)
				}
				before, err := orm.Query[Reading](db).Count(ctx)
				require.NoError(t, err)

				r := Reading{Label: "one", Price: 1, Amount: "1.000"}
				tc.set(&r)
				err = db.Insert(ctx, &r)
				check("Insert", err)
				if err == nil {
					got, err := orm.Query[Reading](db).Where("id = ?", r.ID).First(ctx)
					require.NoError(t, err)
					requireSameReading(t, r, *got)
					_, err = orm.Query[Reading](db).Where("id = ?", r.ID).Delete(ctx)
					require.NoError(t, err)
				}

				rows := []*Reading{{Label: "b1", Price: 1, Amount: "1.000"}, {Label: "b2", Price: 2, Amount: "2.000"}}
				tc.set(rows[1])
				err = db.Insert(ctx, rows)
				check("bulk Insert", err)
				if err == nil {
					_, err = orm.Query[Reading](db).Where("label IN (?)", []string{"b1", "b2"}).Delete(ctx)
					require.NoError(t, err)
				}

				u := base
				tc.set(&u)
				check("Update", db.Update(ctx, &u))
				if !tc.fits {
					got, err := orm.Query[Reading](db).Where("id = ?", base.ID).First(ctx)
					require.NoError(t, err)
					requireSameReading(t, base, *got)
				}

				up := Reading{Label: "base", Price: 1.5, Amount: "2.250"}
				tc.set(&up)
				check("Upsert", db.Upsert(ctx, &up, orm.OnConflict("label").DoUpdate(tc.column)))

				var v Reading
				tc.set(&v)
				value := map[string]any{"price": v.Price, "amount": v.Amount, "ratio": v.Ratio, "big": v.Big}[tc.column]
				_, err = orm.Query[Reading](db).Where("id = ?", base.ID).UpdateColumns(ctx, map[string]any{tc.column: value})
				check("UpdateColumns", err)

				if !tc.fits {
					after, err := orm.Query[Reading](db).Count(ctx)
					require.NoError(t, err)
					require.Equal(t, before, after, "nothing may be written")
				}
				// Leave base as it was for the next case.
				require.NoError(t, db.Update(ctx, &base))
			})
		}

		// Values that fit are stored and read back equal.
		ok := Reading{Label: "fits", Price: 12345678.91, Amount: "-12345.678", Ratio: 0.1, Big: math.MaxInt64}
		require.NoError(t, db.Insert(ctx, &ok))
		got, err := orm.Query[Reading](db).Where("id = ?", ok.ID).First(ctx)
		require.NoError(t, err)
		requireSameReading(t, ok, *got)
	})
}

func requireSameReading(t *testing.T, want, got Reading) {
	t.Helper()
	require.Equal(t, want.Price, got.Price)
	require.Equal(t, want.Amount, got.Amount)
	if math.IsNaN(want.Ratio) {
		require.True(t, math.IsNaN(got.Ratio), "NaN must read back as NaN, got %v", got.Ratio)
	} else {
		require.Equal(t, want.Ratio, got.Ratio)
	}
	require.Equal(t, want.Big, got.Big)
}

// Holding is a model with decimal string columns of several shapes.
type Holding struct {
	ID    int64
	Label string `orm:"size:100"`
	Wide  string `orm:"type:decimal(38,10)"` // more digits than a float64 holds
	Fine  string `orm:"type:decimal(30,20)"` // a scale past a float64's digits
	Bare  string `orm:"type:decimal"`        // no precision or scale
}

// A decimal string is read back as the number written, or refused before
// anything is sent, also on SQLite, which keeps decimals as 64-bit floats
// (about 15 significant digits) or integers.
func TestDecimalStringsReadBackEqual(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, tdb *dbtest.DB) {
		ctx := context.Background()
		db := openTest(t, tdb, nil)
		require.NoError(t, orm.AutoMigrate(db, &Holding{}))
		exact := tdb.Name != "sqlite"
		cases := []struct {
			name             string
			wide, fine, bare string
			fits             bool // on SQLite
		}{
			{"short values", "12.5", "0.3", "1.5", true},
			{"integer beyond a float's digits", "1234567890123456789", "0", "-9223372036854775808", true},
			{"many fraction digits within the scale", "0.1000000001", "0.12345678901234", "2.25", true},
			{"18 significant digits", "9999999999999999.99", "0", "0", false},
			{"integral text beyond a float's digits", "1234567890123456789.0", "0", "0", false},
			{"17 significant digits at the scale", "0", "0.12345678901234567", "0", false},
			{"bare decimal beyond a float's digits", "0", "0", "0.1234567890123456789", false},
			{"bare decimal with 17 significant digits a float holds", "0", "0", "123456789012345.67", true},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				r := Holding{Label: tc.name, Wide: tc.wide, Fine: tc.fine, Bare: tc.bare}
				err := db.Insert(ctx, &r)
				if !exact && !tc.fits {
					require.ErrorIs(t, err, orm.ErrValueOutOfRange)
					require.ErrorContains(t, err, "Holding")
					n, err := orm.Query[Holding](db).Where("label = ?", tc.name).Count(ctx)
					require.NoError(t, err)
					require.Zero(t, n, "nothing may be written")
					return
				}
				require.NoError(t, err)
				got, err := orm.Query[Holding](db).Where("id = ?", r.ID).First(ctx)
				require.NoError(t, err)
				for _, c := range [][2]string{{tc.wide, got.Wide}, {tc.fine, got.Fine}, {tc.bare, got.Bare}} {
					want, ok := new(big.Rat).SetString(c[0])
					require.True(t, ok)
					back, ok := new(big.Rat).SetString(c[1])
					require.True(t, ok, "read back %q", c[1])
					require.Zero(t, want.Cmp(back), "wrote %s, read back %s", c[0], c[1])
				}
			})
		}
	})
}
