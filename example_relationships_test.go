package orm_test

import (
	"context"
	"fmt"
	"log"

	"github.com/tagorm/orm"
	_ "github.com/tagorm/orm/dialects/sqlite"
)

// Team, Player and Skill are the models of the relationships example.
type Team struct {
	ID      int64
	Name    string   `orm:"size:50"`
	Players []Player `orm:"has_many;back_populates:Team;on_delete:cascade"` // FK: Player.TeamID
}

type Player struct {
	ID     int64
	Name   string   `orm:"size:50"`
	TeamID int64    // the convention: <Parent type><its key>
	Team   *Team    `orm:"belongs_to"`
	Skills []*Skill `orm:"many_to_many:player_skills"` // implicit join table (player_id, skill_id)
}

type Skill struct {
	ID    int64
	Label string `orm:"size:30;unique"`
}

// Declaring relationships in tags, saving a graph with one Insert,
// preloading it back, filtering across a relation and changing a
// many-to-many collection.
func Example_relationships() {
	ctx := context.Background()
	db, err := orm.OpenURL("sqlite://")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	// AutoMigrate creates team, player, skill and the join table player_skills.
	if err := orm.AutoMigrate(db, &Team{}, &Player{}, &Skill{}); err != nil {
		log.Fatal(err)
	}

	goSkill, sqlSkill := &Skill{Label: "go"}, &Skill{Label: "sql"}
	team := &Team{Name: "core", Players: []Player{
		{Name: "ann", Skills: []*Skill{goSkill, sqlSkill}},
		{Name: "bob", Skills: []*Skill{goSkill}},
	}}
	// One call, one transaction: the team, its players (TeamID set), the
	// skills, then the links; every generated key is filled.
	if err := db.Insert(ctx, team); err != nil {
		log.Fatal(err)
	}
	fmt.Println(team.ID, team.Players[0].TeamID, goSkill.ID > 0)

	// One query per level: teams, players, skills.
	teams, err := orm.Query[Team](db).Preload("Players.Skills", func(p *orm.PreloadQuery) {
		p.OrderBy("label")
	}).All(ctx)
	if err != nil {
		log.Fatal(err)
	}
	for _, p := range teams[0].Players {
		fmt.Print(p.Name, " (", p.Team.Name, "):")
		for _, s := range p.Skills {
			fmt.Print(" ", s.Label)
		}
		fmt.Println()
	}

	// Players with a given skill: an EXISTS subquery, no hand-written join.
	sql, err := orm.Query[Player](db).WhereHas("Skills", "label = ?", "sql").All(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(sql[0].Name)

	// The association API: bob learns sql; Replace is idempotent.
	bob := &teams[0].Players[1]
	skills := db.Association(bob, "Skills")
	if err := skills.Replace(ctx, goSkill, sqlSkill); err != nil {
		log.Fatal(err)
	}
	n, err := skills.Count(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(n, len(bob.Skills))
	// Output:
	// 1 1 true
	// ann (core): go sql
	// bob (core): go
	// ann
	// 2 2
}
